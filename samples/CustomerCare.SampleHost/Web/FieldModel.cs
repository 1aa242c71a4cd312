namespace CustomerCare.SampleHost.Web;

/// <summary>One form field for the <c>_Field</c> partial: label, hint and the error shown next to it.</summary>
public sealed record FieldModel(string Id, string Name, string Label, string? Value, string? Error)
{
    /// <summary>The input type, or <c>textarea</c>.</summary>
    public string Type { get; init; } = "text";

    /// <summary>Whether the field must be filled (else "(optional)" is added to the label).</summary>
    public bool Required { get; init; } = true;

    /// <summary>Help text under the label.</summary>
    public string? Hint { get; init; }

    /// <summary>The <c>autocomplete</c> attribute.</summary>
    public string? Autocomplete { get; init; }

    /// <summary>The <c>maxlength</c> attribute (0: none).</summary>
    public int MaxLength { get; init; }
}
