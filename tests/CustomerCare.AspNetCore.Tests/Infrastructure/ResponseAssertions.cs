using System.Net;
using System.Text.Json;

namespace CustomerCare.AspNetCore.Tests.Infrastructure;

/// <summary>Assertions on responses. Every body read through them is checked for leaked internals.</summary>
public static class ResponseAssertions
{
    public const string ProblemPrefix = "urn:customercare:problem:";

    /// <summary>What must never reach a client: stack traces, exception names, SQL and provider details.</summary>
    private static readonly string[] Leaks = ["Exception", "SQLite", "Sqlite", "SELECT", "INSERT", "UPDATE \"", "at CustomerCare.", "StackTrace", "   at ", "Npgsql", "Microsoft.EntityFrameworkCore"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Fails if the body contains a stack trace, an exception name, SQL or provider details.</summary>
    public static void AssertNoLeak(string body)
    {
        foreach (var leak in Leaks)
            Assert.False(body.Contains(leak, StringComparison.Ordinal), $"The response leaks internals ('{leak}'): {body}");
    }

    /// <summary>Asserts the status and returns the JSON body (<c>default</c> when empty).</summary>
    public static async Task<JsonElement> ExpectAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        AssertHostLoggedNoError(response);
        if (response.StatusCode != status) Assert.Fail(Describe(response, body, $"Expected {(int)status} {status}"));
        if ((int)status >= 400) AssertNoLeak(body);
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>
    /// Asserts an error answer: the status, <c>application/problem+json</c>, the stable <c>type</c>
    /// (<c>urn:customercare:problem:{type}</c>), the <c>status</c> member, no leaked internals and, for
    /// 400, an <c>errors</c> map naming each of <paramref name="errorFields"/> (<c>*</c>: any field).
    /// </summary>
    public static async Task<JsonElement> ExpectProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string type, params string[] errorFields)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        AssertHostLoggedNoError(response);
        AssertNoLeak(body);
        if (response.StatusCode != status) Assert.Fail(Describe(response, body, $"Expected {(int)status} {status} ({type})"));
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            Describe(response, body, "Expected content type application/problem+json"));

        var json = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(ProblemPrefix + type, json.GetProperty("type").GetString());
        Assert.Equal((int)status, json.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("title").GetString()));

        if (status == HttpStatusCode.BadRequest)
            Assert.True(errorFields.Length > 0, "A 400 test must name the field it expects in 'errors'.");
        if (errorFields.Length > 0)
        {
            Assert.True(json.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object, Describe(response, body, "Expected an 'errors' map"));
            foreach (var field in errorFields.Where(f => f != "*"))
            {
                Assert.True(errors.TryGetProperty(field, out var messages), Describe(response, body, $"Expected errors['{field}']"));
                Assert.True(messages.GetArrayLength() > 0 && !string.IsNullOrWhiteSpace(messages[0].GetString()));
            }
        }
        return json;
    }

    /// <summary>
    /// An unhandled exception or a failing notifier is logged as an error even when the answer looks
    /// fine; every response checked here also checks that its host logged none.
    /// </summary>
    private static void AssertHostLoggedNoError(HttpResponseMessage response)
    {
        if (response.RequestMessage?.Options.TryGetValue(ApiClient.HostKey, out var host) == true && !host.LoggedErrors.IsEmpty)
            Assert.Fail($"The host logged errors while answering {response.RequestMessage.Method} {response.RequestMessage.RequestUri}:{Environment.NewLine}{string.Join(Environment.NewLine, host.LoggedErrors)}");
    }

    private static string Describe(HttpResponseMessage response, string body, string expectation)
    {
        var text = $"{expectation}, got {(int)response.StatusCode} {response.StatusCode} ({response.Content.Headers.ContentType}) for {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {body}";
        if (response.RequestMessage?.Options.TryGetValue(ApiClient.HostKey, out var host) == true && !host.LoggedErrors.IsEmpty)
            text += Environment.NewLine + "Host logged:" + Environment.NewLine + string.Join(Environment.NewLine, host.LoggedErrors);
        return text;
    }

    // ------------------------------------------------------------------ JSON shortcuts ---

    public static Guid Id(this JsonElement json) => json.GetProperty("id").GetGuid();

    public static string Str(this JsonElement json, string property)
        => json.GetProperty(property).GetString() ?? throw new InvalidOperationException($"'{property}' is null in {json}");

    public static long Version(this JsonElement json) => json.GetProperty("version").GetInt64();
}
