using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using CustomerCare.SampleHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;

namespace CustomerCare.SampleHost.Tests.Security;

/// <summary>
/// Passwords, tokens, one-time codes, cookies and the operator key never reach the logs. The host logs at
/// the levels it ships with (appsettings.json), and CustomerCare's own categories, Identity's and
/// authentication's at Trace, so that a debug session cannot leak them either.
/// </summary>
public sealed class SecretsInLogsTests(SecretsInLogsTests.LoggingHost host) : IClassFixture<SecretsInLogsTests.LoggingHost>
{
    private const string Tenant = "acme-bank";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Secrets_used_in_every_kind_of_request_never_appear_in_any_log_entry()
    {
        using var api = host.Api();
        var secrets = new List<(string What, string Value)>();
        var email = Api.UniqueEmail("quinn");
        const string password = "Secret-pass-2026!";
        const string newPassword = "Other-secret-2026!";
        const string wrongPassword = "Wrong-secret-2026!";
        secrets.Add(("password", password));
        secrets.Add(("new password", newPassword));
        secrets.Add(("mistyped password", wrongPassword));
        secrets.Add(("operator key", SampleHostFactory.OperatorKey));

        // Register, confirm through the mail's link (its code is a secret too) and sign in.
        await api.RegisterAsync(Tenant, email, password);
        var link = PickupMailbox.Link(host.Mail.WaitFor(email, m => m.Subject == "Confirm your email").Single());
        secrets.Add(("email confirmation code", QueryValue(link, "code")));
        await Api.ExpectAsync(await api.Client.GetAsync(link, Ct), HttpStatusCode.OK);
        await Api.ExpectProblemAsync(await api.TryLoginAsync(Tenant, email, wrongPassword), HttpStatusCode.Unauthorized);
        var login = await api.ExpectAsync(HttpMethod.Post, $"/t/{Tenant}/api/auth/login", HttpStatusCode.OK, new { email, password });
        var accessToken = (string)login["accessToken"]!;
        var refreshToken = (string)login["refreshToken"]!;
        secrets.Add(("access token", accessToken));
        secrets.Add(("refresh token", refreshToken));
        var refreshed = await api.ExpectAsync(HttpMethod.Post, $"/t/{Tenant}/api/auth/refresh", HttpStatusCode.OK, new { refreshToken });
        var token = (string)refreshed["accessToken"]!;
        secrets.Add(("refreshed access token", token));
        secrets.Add(("second refresh token", (string)refreshed["refreshToken"]!));

        // The API with the token, including a refused call, a validation error and a 404.
        var ticket = await api.ExpectAsync(HttpMethod.Post, $"/t/{Tenant}/api/tickets", HttpStatusCode.Created,
            new { subject = "Card blocked", description = "My card was blocked abroad.", customFields = new { accountNumber = "12345678" } }, token);
        var ticketId = (string)ticket["id"]!;
        await api.ExpectAsync(HttpMethod.Post, $"/t/{Tenant}/api/tickets/{ticketId}/messages", HttpStatusCode.Created, new { body = "Still blocked." }, token);
        await api.ExpectAsync(HttpMethod.Post, $"/t/{Tenant}/api/tickets", HttpStatusCode.BadRequest, new { subject = "" }, token);
        await api.ExpectAsync(HttpMethod.Get, $"/t/{Tenant}/api/agents", HttpStatusCode.Forbidden, token: token);
        await api.ExpectAsync(HttpMethod.Get, $"/t/globe-telecom/api/me", HttpStatusCode.Unauthorized, token: token);
        await api.ExpectAsync(HttpMethod.Get, $"/t/{Tenant}/api/me", HttpStatusCode.Unauthorized, token: token + "x");

        // The hub: the token in the query (as the browser client sends it over WebSockets) and as a header.
        await using (var byQuery = ConnectHub(HttpTransportType.WebSockets, queryToken: token))
        await using (var byHeader = ConnectHub(HttpTransportType.LongPolling, headerToken: token))
        {
            await byQuery.StartAsync(Ct);
            await byHeader.StartAsync(Ct);
            await byQuery.InvokeAsync<JsonElement>("SendMessage", ticketId, "Over the hub.", null, Guid.NewGuid().ToString(), Ct);
            await byHeader.InvokeAsync<JsonElement>("JoinTicket", ticketId, null, Ct);
        }

        // A cookie sign-in and a call with the cookie.
        using (var cookieApi = host.CookieApi())
        {
            var cookieLogin = await cookieApi.PostAsync($"/t/{Tenant}/api/auth/login?useCookies=true", new { email, password });
            await Api.ExpectAsync(cookieLogin, HttpStatusCode.OK);
            foreach (var cookie in cookieLogin.Headers.GetValues("Set-Cookie"))
                secrets.Add(("cookie", cookie.Split(';')[0].Split('=', 2)[1]));
            await cookieApi.ExpectAsync(HttpMethod.Get, $"/t/{Tenant}/api/me", HttpStatusCode.OK);
        }

        // Forgot and reset the password (the code arrives by mail), change it back, sign in with the new one.
        await api.ExpectAsync(HttpMethod.Post, $"/t/{Tenant}/api/auth/forgotPassword", HttpStatusCode.OK, new { email });
        var resetCode = api.ResetCodeFromMail(email, "Your Acme Bank password");
        secrets.Add(("password reset code", resetCode));
        await api.ExpectAsync(HttpMethod.Post, $"/t/{Tenant}/api/auth/resetPassword", HttpStatusCode.OK, new { email, resetCode, newPassword });
        var again = await api.LoginAsync(Tenant, email, newPassword);
        secrets.Add(("access token after reset", again));
        await api.ExpectAsync(HttpMethod.Post, $"/t/{Tenant}/api/auth/manage/info", HttpStatusCode.OK,
            new { oldPassword = newPassword, newPassword = password }, again);

        // The operator API, with the right key and a wrong one.
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/ops/tenants/{Tenant}"))
        {
            request.Headers.Add("X-Operator-Key", SampleHostFactory.OperatorKey);
            Assert.Equal(HttpStatusCode.OK, (await api.Client.SendAsync(request, Ct)).StatusCode);
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/ops/tenants/{Tenant}"))
        {
            request.Headers.Add("X-Operator-Key", SampleHostFactory.OperatorKey + "-wrong");
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client.SendAsync(request, Ct)).StatusCode);
        }

        // Let the outbox dispatch the mail these requests caused (its log entries count too).
        host.Mail.Settle(email);

        var entries = host.Logs.Entries.ToArray();
        Assert.True(entries.Length > 20, $"The capture saw only {entries.Length} log entries: the test would prove nothing.");
        Assert.Contains(entries, e => e.Category.StartsWith("CustomerCare", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Category.StartsWith("Microsoft.AspNetCore.Authentication", StringComparison.Ordinal));
        foreach (var (what, value) in secrets)
        {
            Assert.False(string.IsNullOrEmpty(value), $"The {what} was not captured by the test.");
            var leak = entries.FirstOrDefault(e => e.Text.Contains(value, StringComparison.Ordinal));
            Assert.True(leak is null, $"The {what} appears in a log entry of {leak?.Category}: {leak?.Text}");
        }
    }

    private static string QueryValue(string url, string name)
    {
        var query = new Uri(url).Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).Single(p => p[0] == name);
        return Uri.UnescapeDataString(query[1]);
    }

    private HubConnection ConnectHub(HttpTransportType transport, string? queryToken = null, string? headerToken = null)
    {
        var server = host.Server;
        var url = $"http://localhost/t/{Tenant}/hub" + (queryToken is null ? "" : "?access_token=" + Uri.EscapeDataString(queryToken));
        return new HubConnectionBuilder().WithUrl(url, o =>
        {
            o.Transports = transport;
            o.HttpMessageHandlerFactory = _ => server.CreateHandler();
            if (headerToken is not null) o.AccessTokenProvider = () => Task.FromResult<string?>(headerToken);
            o.WebSocketFactory = async (context, cancellationToken) =>
            {
                var client = server.CreateWebSocketClient();
                if (headerToken is not null) client.ConfigureRequest = request => request.Headers.Authorization = "Bearer " + headerToken;
                return await client.ConnectAsync(context.Uri, cancellationToken);
            };
        }).Build();
    }

    /// <summary>The sample host logging as shipped, plus CustomerCare, Identity and authentication at Trace, into a capture.</summary>
    public sealed class LoggingHost : SampleHostFactory
    {
        /// <summary>Every entry any logger wrote.</summary>
        public LogCapture Logs { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Logging:LogLevel:Default", "Information");   // as appsettings.json ships
            builder.UseSetting("Logging:LogLevel:CustomerCare", "Trace");
            builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.Identity", "Trace");
            builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.Authentication", "Trace");
            builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.Authorization", "Trace");
            builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.Http.Connections", "Trace");
            builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.SignalR", "Trace");
            builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        }
    }

    /// <summary>One log entry as text: message, every state value and the exception.</summary>
    public sealed record LogEntry(string Category, LogLevel Level, string Text);

    /// <summary>An <see cref="ILoggerProvider"/> that keeps every entry in memory.</summary>
    public sealed class LogCapture : ILoggerProvider
    {
        public ConcurrentQueue<LogEntry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(LogCapture capture, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" | ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                capture.Entries.Enqueue(new LogEntry(category, logLevel, $"{formatter(state, exception)} || {values} || {exception}"));
            }
        }
    }
}
