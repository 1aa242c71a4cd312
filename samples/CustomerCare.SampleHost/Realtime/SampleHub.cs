namespace CustomerCare.SampleHost.Realtime;

/// <summary>Where the sample serves CustomerCare's real-time hub: <c>/t/{tenant}/hub</c>, next to the API at <c>/t/{tenant}/api</c>.</summary>
internal static class SampleHub
{
    public const string TenantPrefix = "/t/{tenant}";

    public const string Path = "/hub";

    /// <summary>Whether <paramref name="path"/> is the hub's (<c>/t/{tenant}/hub</c> or below, e.g. <c>/negotiate</c>).</summary>
    public static bool IsHubPath(PathString path)
    {
        var segments = path.Value?.Split('/', 5);
        // ["", "t", "{tenant}", "hub", ...]
        return segments is { Length: >= 4 } && segments[1] == "t" && segments[2].Length > 0 && segments[3] == "hub";
    }
}
