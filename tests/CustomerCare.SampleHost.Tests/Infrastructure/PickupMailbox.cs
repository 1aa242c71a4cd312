using System.Text;
using System.Text.RegularExpressions;

namespace CustomerCare.SampleHost.Tests.Infrastructure;

/// <summary>One <c>.eml</c> file the host wrote to its pickup folder.</summary>
public sealed record PickupMail(string File, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string To => Headers.GetValueOrDefault("To", "");
    public string Subject => Headers.GetValueOrDefault("Subject", "");
    public string From => Headers.GetValueOrDefault("From", "");
}

/// <summary>Reads the development mail the sample host writes as <c>.eml</c> files.</summary>
public sealed partial class PickupMailbox(string folder)
{
    public string Folder { get; } = folder;

    /// <summary>Every message addressed to <paramref name="address"/>, oldest first.</summary>
    public IReadOnlyList<PickupMail> To(string address)
    {
        if (!Directory.Exists(Folder)) return [];
        return [.. Directory.GetFiles(Folder, "*.eml").Order(StringComparer.Ordinal).Select(Parse)
            .Where(m => m.To.Equals($"<{address}>", StringComparison.OrdinalIgnoreCase))];
    }

    /// <summary>The single message with <paramref name="subject"/> sent to <paramref name="address"/>; fails otherwise.</summary>
    public PickupMail Single(string address, string subject)
    {
        var matches = To(address).Where(m => m.Subject == subject).ToList();
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

    private static PickupMail Parse(string file)
    {
        var text = File.ReadAllText(file, Encoding.UTF8);
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, $"{file} has no header/body separator.");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in text[..split].Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0) headers[line[..colon]] = line[(colon + 1)..].Trim();
        }
        return new PickupMail(file, headers, text[(split + 4)..].Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex LinkPattern();
}
