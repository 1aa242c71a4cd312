using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace CustomerCare.Benchmarks.WebQueue;

/// <summary>
/// The sample host — its real web app, built in the same configuration as this harness — in a child process
/// (<c>dotnet CustomerCare.SampleHost.dll</c>) on a free loopback port, on the given database, seeded with the
/// demo tenants. Its content root is the sample's project folder, so that <c>wwwroot</c> (CSS, JS, the SignalR
/// client) is served as in <c>dotnet run</c>. Rate limits are lifted (one agent requests the page hundreds of
/// times a minute here) and logs kept to warnings; mail goes to a temporary pickup folder, removed afterwards.
/// </summary>
internal sealed class SampleHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _pickup;
    private readonly Queue<string> _output = new();

    private SampleHostProcess(Process process, string pickup, Uri address)
    {
        _process = process;
        _pickup = pickup;
        Address = address;
    }

    /// <summary>Where the host listens, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Address { get; }

    /// <summary>The host's last lines of output (for an error message).</summary>
    public string LastOutput { get { lock (_output) return string.Join('\n', _output); } }

    /// <summary>The sample host's built entry assembly next to this harness (same configuration), or <c>null</c>.</summary>
    public static string? FindHostAssembly()
    {
        var configuration = typeof(SampleHostProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var root = RepositoryRoot();
        if (root is null) return null;
        var path = Path.Combine(root, "samples", "CustomerCare.SampleHost", "bin", configuration, "net10.0", "CustomerCare.SampleHost.dll");
        return File.Exists(path) ? path : null;
    }

    /// <summary>The repository's root (the folder of <c>CustomerCare.sln</c>) above this harness, or <c>null</c>.</summary>
    public static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CustomerCare.sln"))) return dir.FullName;
        return null;
    }

    /// <summary>Starts the host on <paramref name="provider"/>'s database and waits until it answers (migrated and seeded).</summary>
    public static async Task<SampleHostProcess> StartAsync(string hostAssembly, string provider, string connection, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        var pickup = Path.Combine(Path.GetTempPath(), $"cc-webqueue-mail-{Guid.NewGuid():N}");
        var contentRoot = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(hostAssembly)!, "..", "..", ".."));
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            WorkingDirectory = contentRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(hostAssembly);
        start.ArgumentList.Add("--contentRoot");
        start.ArgumentList.Add(contentRoot);
        var env = start.Environment;
        env["ASPNETCORE_URLS"] = address.ToString().TrimEnd('/');
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["DOTNET_ENVIRONMENT"] = "Production";
        if (provider == "postgres") env["ConnectionStrings__Postgres"] = connection;
        else env["ConnectionStrings__Sqlite"] = connection;
        env["Mail__PickupFolder"] = pickup;
        env["Seed__DemoData"] = "true";
        env["Web__RateLimit__PermitsPerMinute"] = "100000000";
        env["CustomerCare__Http__RateLimits__Enabled"] = "false";
        env["Logging__LogLevel__Default"] = "Warning";
        env["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the sample host");
        var host = new SampleHostProcess(process, pickup, address);
        process.OutputDataReceived += (_, e) => host.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => host.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (true)
        {
            if (process.HasExited)
            {
                await host.DisposeAsync();
                throw new InvalidOperationException($"the sample host exited with code {process.ExitCode}:\n{host.LastOutput}");
            }
            try
            {
                using var response = await probe.GetAsync("/t/acme-bank/login", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK) return host;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            if (DateTime.UtcNow >= deadline)
            {
                await host.DisposeAsync();
                throw new TimeoutException($"the sample host did not answer within 180 s:\n{host.LastOutput}");
            }
            await Task.Delay(250, cancellationToken);
        }
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > 40) _output.Dequeue();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try { if (Directory.Exists(_pickup)) Directory.Delete(_pickup, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
