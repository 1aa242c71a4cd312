using System.Collections.Concurrent;
using System.Diagnostics;

namespace CustomerCare.Notifications.MailKit.Tests.Infrastructure;

/// <summary>
/// The test host (CustomerCare.Notifications.MailKit.TestHost) as a child process: <c>dotnet {dll}</c> with
/// its configuration in environment variables. The test can kill it with SIGKILL, as a crash would.
/// </summary>
public sealed class ChildHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ChildHost(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output => string.Join(Environment.NewLine, _output);

    public bool HasExited => _process.HasExited;

    /// <summary>The test host's dll, built next to this test assembly's configuration.</summary>
    public static string DllPath()
    {
        // tests/CustomerCare.Notifications.MailKit.Tests/bin/{Configuration}/net10.0/ → tests/CustomerCare.Notifications.MailKit.TestHost/bin/{Configuration}/net10.0/
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = here.Name;
        var configuration = here.Parent!.Name;
        var tests = here.Parent.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(tests, "CustomerCare.Notifications.MailKit.TestHost", "bin", configuration, framework, "CustomerCare.Notifications.MailKit.TestHost.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"Build the test host first (it is a project reference of the tests): {dll}");
        return dll;
    }

    /// <summary>Starts the host and waits until its dispatcher runs.</summary>
    public static async Task<ChildHost> StartAsync(IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(DllPath());
        foreach (var (key, value) in environment) start.Environment[key] = value;
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var child = new ChildHost(Process.Start(start)!);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!child.Output.Contains("dispatcher started", StringComparison.Ordinal))
        {
            if (child.HasExited) throw new InvalidOperationException($"The test host exited with {child._process.ExitCode}:\n{child.Output}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The test host did not start within 30 s:\n{child.Output}");
            await Task.Delay(50);
        }
        return child;
    }

    /// <summary>SIGKILL: no shutdown, no cleanup, claims left as they are.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill();   // SIGKILL on Unix
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
