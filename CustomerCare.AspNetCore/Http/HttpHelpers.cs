using System.Globalization;
using CustomerCare.Errors;
using CustomerCare.Tickets;
using Microsoft.AspNetCore.Http;

namespace CustomerCare.AspNetCore;

internal static class HttpHelpers
{
    /// <summary>Malformed ids are answered exactly like unknown ones.</summary>
    public static Guid ParseId(string id, string what)
        => Guid.TryParse(id, out var guid) ? guid : throw new NotFoundException(what);

    public static string? IdempotencyKey(HttpContext context)
    {
        var values = context.Request.Headers["Idempotency-Key"];
        if (values.Count == 0) return null;
        var key = values.ToString().Trim();
        if (values.Count > 1 || key.Length is 0 or > 200 || key.Any(char.IsControl))
            throw new ValidationException("Idempotency-Key", "Send one Idempotency-Key of 1 to 200 printable characters.");
        return key;
    }

    /// <summary>Reads <c>If-Match: "7"</c> as version 7; <c>*</c> or no header means any version.</summary>
    public static long? IfMatch(HttpContext context)
    {
        var value = context.Request.Headers.IfMatch.ToString().Trim();
        if (value.Length == 0 || value == "*") return null;
        if (value.StartsWith("W/", StringComparison.Ordinal)) value = value[2..];
        value = value.Trim('"');
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw new ValidationException("If-Match", "If-Match must be the ETag of the ticket, e.g. \"3\".");
    }

    public static void SetETag(HttpContext context, Ticket ticket)
        => context.Response.Headers.ETag = $"\"{ticket.Version.ToString(CultureInfo.InvariantCulture)}\"";

    public static int? OptionalInt(HttpContext context, string name)
    {
        var raw = context.Request.Query[name];
        if (raw.Count == 0 || string.IsNullOrEmpty(raw.ToString())) return null;
        return int.TryParse(raw.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ValidationException(name, $"{name} must be a whole number.");
    }

    public static TEnum? OptionalEnum<TEnum>(string? raw, string name) where TEnum : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        return Enum.TryParse<TEnum>(raw.Trim(), ignoreCase: true, out var value) && Enum.IsDefined(value) && !char.IsDigit(raw.Trim()[0])
            ? value
            : throw new ValidationException(name, $"Unknown {name} '{raw}'. Use one of: {string.Join(", ", Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()))}.");
    }
}
