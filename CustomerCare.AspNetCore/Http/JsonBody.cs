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
            var field = FieldOf(ex.Path);
            throw new ValidationException(field, field == "$" ? "The body is not valid JSON." : "The value has the wrong type or format.");
        }
    }

    /// <summary>Turns <c>$.customFields.billNumber</c> into <c>customFields.billNumber</c>.</summary>
    private static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "$";
        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
    }
}
