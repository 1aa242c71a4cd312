using System.Buffers;
using System.Text.Json;
using CustomerCare.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CustomerCare.AspNetCore;

/// <summary>
/// Reads JSON bodies with CustomerCare's rules instead of the framework binder, so that every bad
/// body (too large, not JSON, malformed, wrong type) gets the same problem details with the field.
/// </summary>
internal static class JsonBody
{
    public static async Task<T> ReadAsync<T>(HttpContext context) where T : class
    {
        var limit = context.RequestServices.GetRequiredService<IOptions<CustomerCareHttpOptions>>().Value.MaxRequestBodyBytes;
        var request = context.Request;
        if (request.ContentLength > limit) throw new PayloadTooLargeException(limit);
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false }) sizeFeature.MaxRequestBodySize = limit;

        if (request.ContentLength == 0 && !request.Headers.ContainsKey("Transfer-Encoding"))
            throw new ValidationException("$", "A JSON body is required.");
        if (!request.HasJsonContentType()) throw new UnsupportedMediaTypeException();

        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            while (true)
            {
                var memory = buffer.GetMemory(8192);
                var read = await request.Body.ReadAsync(memory, context.RequestAborted);
                if (read == 0) break;
                buffer.Advance(read);
                if (buffer.WrittenCount > limit) throw new PayloadTooLargeException(limit);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new PayloadTooLargeException(limit);
        }
        if (buffer.WrittenCount == 0) throw new ValidationException("$", "A JSON body is required.");

        var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            return JsonSerializer.Deserialize<T>(buffer.WrittenSpan, options)
                   ?? throw new ValidationException("$", "A JSON object is required.");
        }
        catch (JsonException ex)
        {
            // A syntax error inside a value (e.g. a truncated body) also carries the property's path:
            // only blame a field when the JSON itself is well-formed.
            var field = IsWellFormed(buffer.WrittenSpan) ? FieldOf(ex.Path) : "$";
            throw new ValidationException(field, field == "$" ? "The body is not valid JSON." : "The value has the wrong type or format.");
        }
    }

    private static bool IsWellFormed(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Turns <c>$.customFields.billNumber</c> into <c>customFields.billNumber</c>.</summary>
    private static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "$";
        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
    }
}
