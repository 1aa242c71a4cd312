using System.Text.RegularExpressions;
using MimeKit;

namespace CustomerCare.SampleHost.Tests.Infrastructure;

/// <summary>One <c>.eml</c> file the host wrote to its pickup folder, parsed with MimeKit.</summary>
public sealed record PickupMail(string File, MimeMessage Message)
{
    public string To => string.Join(", ", Message.To.Mailboxes.Select(m => $"<{m.Address}>"));
    public string Subject => Message.Subject ?? "";
    public string From => Message.From.ToString();

    /// <summary>The plain-text part, with \n line ends.</summary>
    public string Body => (Message.TextBody ?? "").Replace("\r\n", "\n", StringComparison.Ordinal);
}

/// <summary>
/// Reads the development mail the sample host writes as <c>.eml</c> files. Mail goes through
/// CustomerCare's outbox and is written by the background dispatcher a moment after the request
/// that caused it, so the lookups that expect mail wait for it (up to 30 s).
/// </summary>
public sealed partial class PickupMailbox(string folder)
{
    // Waiting for mail that should come: generous, a loaded CI machine may be slow (only a failing test waits it out).
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // Waiting for mail to stop coming.
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(10);

    public string Folder { get; } = folder;

    /// <summary>Every message addressed to <paramref name="address"/> now, oldest first (no waiting: for "nothing was sent" checks).</summary>
    public IReadOnlyList<PickupMail> To(string address)
    {
        if (!Directory.Exists(Folder)) return [];
        return [.. Directory.GetFiles(Folder, "*.eml").Order(StringComparer.Ordinal).Select(Parse)
            .Where(m => m.Message.To.Mailboxes.Any(b => string.Equals(b.Address, address, StringComparison.OrdinalIgnoreCase)))];
    }

    /// <summary>Waits until at least <paramref name="count"/> messages to <paramref name="address"/> match, and returns the matches.</summary>
    public IReadOnlyList<PickupMail> WaitFor(string address, Func<PickupMail, bool> match, int count = 1)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var found = To(address).Where(match).ToList();
            if (found.Count >= count || DateTime.UtcNow > deadline) return found;
            Thread.Sleep(50);
        }
    }

    /// <summary>Waits until no new mail to <paramref name="address"/> has arrived for a second (at most 10 s); returns how many there are.</summary>
    public int Settle(string address)
    {
        var deadline = DateTime.UtcNow + SettleLimit;
        var count = To(address).Count;
        while (DateTime.UtcNow < deadline)
        {
            Thread.Sleep(1000);
            var now = To(address).Count;
            if (now == count) return count;
            count = now;
        }
        return count;
    }

    /// <summary>The single message with <paramref name="subject"/> sent to <paramref name="address"/> (waits for it); fails otherwise.</summary>
    public PickupMail Single(string address, string subject)
    {
        var matches = WaitFor(address, m => m.Subject == subject);
        // Give a duplicate the chance to show up before declaring this one single.
        Thread.Sleep(200);
        matches = To(address).Where(m => m.Subject == subject).ToList();
        Assert.True(matches.Count == 1,
            $"Expected one '{subject}' mail to {address} in {Folder}, found {matches.Count}. Mail to that address: [{string.Join(", ", To(address).Select(m => m.Subject))}]");
        return matches[0];
    }

    /// <summary>The <c>http(s)://...</c> link in a message body.</summary>
    public static string Link(PickupMail mail)
    {
        var match = LinkPattern().Match(mail.Body);
        Assert.True(match.Success, $"No link in mail '{mail.Subject}':\n{mail.Body}");
        return match.Value;
    }

    private static PickupMail Parse(string file) => new(file, MimeMessage.Load(file));

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex LinkPattern();
}
