using System.Net;
using System.Text;
using System.Text.Json;

namespace CustomerCare.AspNetCore.Tests.Infrastructure;

/// <summary>An HTTP client of one caller on one tenant's API (<c>/t/{tenant}/api/</c>); paths are relative (<c>tickets/{id}</c>).</summary>
public sealed class ApiClient(HttpClient http, string? userId, ApiHost host)
{
    internal static readonly HttpRequestOptionsKey<ApiHost> HostKey = new("customercare-test-host");

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The signed-in user id, <c>null</c> for anonymous.</summary>
    public string? UserId => userId;

    public ApiHost Host => host;

    public HttpClient Http => http;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public Task<HttpResponseMessage> GetAsync(string path, params (string Name, string Value)[] headers)
        => SendAsync(HttpMethod.Get, path, null, headers);

    /// <summary>POSTs <paramref name="body"/>: an <see cref="HttpContent"/> as is, anything else serialized as JSON.</summary>
    public Task<HttpResponseMessage> PostAsync(string path, object? body = null, params (string Name, string Value)[] headers)
        => SendAsync(HttpMethod.Post, path, body, headers);

    public Task<HttpResponseMessage> PatchAsync(string path, object? body, params (string Name, string Value)[] headers)
        => SendAsync(HttpMethod.Patch, path, body, headers);

    public Task<HttpResponseMessage> PutAsync(string path, object? body, params (string Name, string Value)[] headers)
        => SendAsync(HttpMethod.Put, path, body, headers);

    public Task<HttpResponseMessage> DeleteAsync(string path, params (string Name, string Value)[] headers)
        => SendAsync(HttpMethod.Delete, path, null, headers);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Content = body switch
        {
            null => null,
            HttpContent content => content,
            _ => new StringContent(JsonSerializer.Serialize(body, Json), Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value)) request.Content?.Headers.TryAddWithoutValidation(name, value);
        }
        request.Options.Set(HostKey, host);
        return await http.SendAsync(request, Ct);
    }

    /// <summary>A raw body with a given content type (default JSON), e.g. malformed JSON.</summary>
    public static HttpContent Raw(string text, string? contentType = "application/json")
    {
        var content = new StringContent(text, Encoding.UTF8);
        content.Headers.ContentType = contentType is null ? null : System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    // ------------------------------------------------------------------ shortcuts that expect success ---

    /// <summary>The default valid ticket body for this client's tenant (telco requires a bill number).</summary>
    public static object TicketBody(string tenant, string subject = "Card blocked abroad", string? category = null, string? priority = null) => tenant == Tenants.Telco
        ? new { subject, description = "My phone bill is wrong.", category, priority, customFields = new Dictionary<string, string> { ["billNumber"] = "B-1001" } }
        : new { subject, description = "My card was blocked while travelling.", category, priority };

    public async Task<JsonElement> CreateTicketAsync(object? body = null)
    {
        var tenant = http.BaseAddress!.Segments[2].TrimEnd('/');
        var response = await PostAsync("tickets", body ?? TicketBody(tenant));
        return await response.ExpectAsync(HttpStatusCode.Created);
    }

    public async Task<JsonElement> GetTicketAsync(Guid id) => await (await GetAsync($"tickets/{id}")).ExpectAsync(HttpStatusCode.OK);

    public async Task<JsonElement> AssignAsync(Guid id, string? agentId)
        => await (await PostAsync($"tickets/{id}/assign", new { agentId })).ExpectAsync(HttpStatusCode.OK);

    public async Task<JsonElement> ChangeStatusAsync(Guid id, string action)
        => await (await PostAsync($"tickets/{id}/{action}")).ExpectAsync(HttpStatusCode.OK);

    public async Task<JsonElement> PostMessageAsync(Guid id, string body, string visibility = "public")
        => await (await PostAsync($"tickets/{id}/messages", new { body, visibility })).ExpectAsync(HttpStatusCode.Created);

    public async Task<JsonElement> MeAsync() => await (await GetAsync("me")).ExpectAsync(HttpStatusCode.OK);
}
