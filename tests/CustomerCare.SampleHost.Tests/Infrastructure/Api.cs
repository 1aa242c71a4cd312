using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CustomerCare.SampleHost.Tests.Infrastructure;

/// <summary>A thin HTTP client for the sample host: raw requests, JSON, and the Identity flows the tests repeat.</summary>
public sealed partial class Api(HttpClient client, PickupMailbox mail) : IDisposable
{
    /// <summary>A password that satisfies the sample's Identity rules.</summary>
    public const string StrongPassword = "Test-pass-2026!";

    public HttpClient Client { get; } = client;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An address no other test uses, e.g. <c>casey-1a2b3c4d@example.test</c>.</summary>
    public static string UniqueEmail(string local) => $"{local}-{Guid.NewGuid().ToString("N")[..8]}@example.test";

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, string? token = null, IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType());
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(name, value);
        return await Client.SendAsync(request, Ct);
    }

    public Task<HttpResponseMessage> GetAsync(string path, string? token = null) => SendAsync(HttpMethod.Get, path, null, token);

    public Task<HttpResponseMessage> PostAsync(string path, object? body, string? token = null) => SendAsync(HttpMethod.Post, path, body, token);

    /// <summary>Asserts the status code (showing the body when it differs) and returns the JSON body, or <c>null</c> when empty.</summary>
    public static async Task<JsonNode?> ExpectAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == status,
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: expected {(int)status} {status}, got {(int)response.StatusCode} {response.StatusCode}: {text}");
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
        return string.IsNullOrWhiteSpace(text) || !mediaType.Contains("json", StringComparison.Ordinal) ? null : JsonNode.Parse(text);
    }

    /// <summary>Sends and expects <paramref name="status"/>; returns the JSON body.</summary>
    public async Task<JsonNode> ExpectAsync(HttpMethod method, string path, HttpStatusCode status, object? body = null, string? token = null)
        => await ExpectAsync(await SendAsync(method, path, body, token), status) ?? new JsonObject();

    /// <summary>Asserts an RFC 9457 problem with the given status and, when given, type and detail.</summary>
    public static async Task<JsonNode> ExpectProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? type = null, string? detail = null)
    {
        var json = await ExpectAsync(response, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(json);
        Assert.Equal((int)status, (int?)json["status"]);
        if (type is not null) Assert.Equal(type, (string?)json["type"]);
        if (detail is not null) Assert.Equal(detail, (string?)json["detail"]);
        return json;
    }

    // ---------------------------------------------------------------- Identity

    public Task<HttpResponseMessage> TryLoginAsync(string tenant, string email, string password)
        => PostAsync($"/t/{tenant}/api/auth/login", new { email, password });

    /// <summary>Logs in with a bearer token and returns the access token.</summary>
    public async Task<string> LoginAsync(string tenant, string email, string password)
    {
        var json = await ExpectAsync(await TryLoginAsync(tenant, email, password), HttpStatusCode.OK);
        var token = (string?)json?["accessToken"];
        Assert.False(string.IsNullOrEmpty(token), $"No accessToken in the login answer: {json}");
        Assert.Equal("Bearer", (string?)json!["tokenType"]);
        return token!;
    }

    public async Task RegisterAsync(string tenant, string email, string password)
        => await ExpectAsync(await PostAsync($"/t/{tenant}/api/auth/register", new { email, password }), HttpStatusCode.OK);

    /// <summary>Opens the link of the one "Confirm your email" mail to <paramref name="email"/>.</summary>
    public async Task ConfirmFromMailAsync(string tenant, string email)
    {
        // The same address may have an account in several tenants: take this tenant's mail.
        var mails = mail.WaitFor(email, m => m.Subject == "Confirm your email" && m.Body.Contains($"/t/{tenant}/api/", StringComparison.Ordinal)).ToList();
        Assert.True(mails.Count == 1, $"Expected one confirmation mail of {tenant} to {email}, found {mails.Count}.");
        Assert.Contains($"support@{tenant}.example", mails[0].From, StringComparison.Ordinal);
        var link = PickupMailbox.Link(mails[0]);
        Assert.StartsWith($"http://localhost/t/{tenant}/api/auth/confirmEmail?", link, StringComparison.Ordinal);
        var confirmed = await Client.GetAsync(link, Ct);
        await ExpectAsync(confirmed, HttpStatusCode.OK);
        Assert.Equal("Thank you for confirming your email.", await confirmed.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>Registers, confirms from the mail and logs in; returns the access token.</summary>
    public async Task<string> NewCustomerAsync(string tenant, string email, string password = StrongPassword)
    {
        await RegisterAsync(tenant, email, password);
        await ConfirmFromMailAsync(tenant, email);
        return await LoginAsync(tenant, email, password);
    }

    /// <summary>The reset code of the newest mail with <paramref name="subject"/> to <paramref name="email"/>.</summary>
    public string ResetCodeFromMail(string email, string subject)
    {
        var message = mail.WaitFor(email, m => m.Subject == subject).LastOrDefault();
        Assert.True(message is not null, $"No '{subject}' mail to {email}.");
        // "Your password reset code is:\n\n{code}\n" or a set-password link with "resetCode":"{code}".
        var match = CodeInJson().Match(message.Body);
        if (match.Success) return match.Groups[1].Value;
        match = CodeOnItsOwnLine().Match(message.Body);
        Assert.True(match.Success, $"No reset code in mail '{subject}':\n{message.Body}");
        return match.Groups[1].Value;
    }

    public void Dispose() => Client.Dispose();

    [GeneratedRegex("\"resetCode\":\"([^\"]+)\"")]
    private static partial Regex CodeInJson();

    [GeneratedRegex(@"code is:\n\n(\S+)\n")]
    private static partial Regex CodeOnItsOwnLine();
}
