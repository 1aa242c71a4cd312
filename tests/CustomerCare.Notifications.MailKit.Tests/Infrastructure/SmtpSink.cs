using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MimeKit;

namespace CustomerCare.Notifications.MailKit.Tests.Infrastructure;

/// <summary>
/// A real SMTP server on loopback: Debian's aiosmtpd with its Mailbox handler, which writes every mail
/// it accepts into a Maildir before answering 250. Either the shared one test.sh starts
/// (<c>CUSTOMERCARE_TEST_SMTP</c>, <c>CUSTOMERCARE_TEST_SMTP_MAILDIR</c>) or one of the test's own,
/// which the test can stop and start again.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    public const string Python = "/usr/bin/python3";

    private Process? _process;
    private readonly bool _owned;

    private SmtpSink(string host, int port, string maildir, bool owned)
    {
        Host = host;
        Port = port;
        Maildir = maildir;
        _owned = owned;
    }

    public string Host { get; }

    public int Port { get; }

    public string Maildir { get; }

    /// <summary>The sink test.sh started, or a skip with the reason.</summary>
    public static SmtpSink Shared()
    {
        var endpoint = Environment.GetEnvironmentVariable("CUSTOMERCARE_TEST_SMTP");
        var maildir = Environment.GetEnvironmentVariable("CUSTOMERCARE_TEST_SMTP_MAILDIR");
        if (string.IsNullOrWhiteSpace(endpoint) || string.IsNullOrWhiteSpace(maildir))
            Assert.Skip("No SMTP sink: set CUSTOMERCARE_TEST_SMTP (host:port) and CUSTOMERCARE_TEST_SMTP_MAILDIR (test.sh and .ci/run start aiosmtpd from python3-aiosmtpd).");
        var colon = endpoint.LastIndexOf(':');
        return new SmtpSink(endpoint[..colon], int.Parse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture), maildir, owned: false);
    }

    /// <summary>Starts an aiosmtpd of the test's own on a free port (skips when Debian's python3-aiosmtpd is missing).</summary>
    public static async Task<SmtpSink> StartOwnAsync()
    {
        if (!await AiosmtpdAvailableAsync())
            Assert.Skip($"{Python} cannot import aiosmtpd: install Debian's python3-aiosmtpd (.ci/run does).");
        var maildir = Path.Combine(Path.GetTempPath(), $"cc-smtp-{Guid.NewGuid():N}");
        foreach (var sub in new[] { "cur", "new", "tmp" }) Directory.CreateDirectory(Path.Combine(maildir, sub));
        var sink = new SmtpSink("127.0.0.1", FreePort(), maildir, owned: true);
        await sink.StartAsync();
        return sink;
    }

    private static async Task<bool> AiosmtpdAvailableAsync()
    {
        if (!File.Exists(Python)) return false;
        using var probe = Process.Start(new ProcessStartInfo(Python, "-c \"import aiosmtpd\"") { RedirectStandardError = true, RedirectStandardOutput = true })!;
        await probe.WaitForExitAsync(TestContext.Current.CancellationToken);
        return probe.ExitCode == 0;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts (again) the owned server and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        if (!_owned) throw new InvalidOperationException("The shared sink is not the test's to start.");
        if (_process is { HasExited: false }) return;
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "aiosmtpd.handlers.Mailbox", Maildir })
            start.ArgumentList.Add(arg);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"aiosmtpd exited with {_process.ExitCode} before listening on {Port}.");
            if (await AcceptsAsync()) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"aiosmtpd did not listen on {Port} within 15 s.");
    }

    /// <summary>Stops the owned server: it refuses connections until started again.</summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
        for (var i = 0; i < 100 && await AcceptsAsync(); i++) await Task.Delay(50);
    }

    private async Task<bool> AcceptsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Every mail in the Maildir (parsed with MimeKit) that <paramref name="match"/> accepts.</summary>
    public IReadOnlyList<MimeMessage> Messages(Func<MimeMessage, bool>? match = null)
    {
        var result = new List<MimeMessage>();
        foreach (var file in Directory.GetFiles(Path.Combine(Maildir, "new")).Concat(Directory.GetFiles(Path.Combine(Maildir, "cur"))))
        {
            MimeMessage message;
            try
            {
                message = MimeMessage.Load(file);
            }
            catch (IOException)
            {
                continue;
            }
            if (match is null || match(message)) result.Add(message);
        }
        return result;
    }

    /// <summary>Mail to <paramref name="address"/>.</summary>
    public IReadOnlyList<MimeMessage> To(string address)
        => Messages(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, address, StringComparison.OrdinalIgnoreCase)));

    public async ValueTask DisposeAsync()
    {
        if (!_owned) return;
        await StopAsync();
        try
        {
            Directory.Delete(Maildir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
