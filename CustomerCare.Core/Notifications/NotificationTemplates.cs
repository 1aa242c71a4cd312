using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace CustomerCare.Notifications;

/// <summary>
/// The template language of notifications: literal text with placeholders such as
/// <c>{{ticket.number}}</c>. No logic, so a tenant's template cannot do anything but fill in values;
/// the HTML part HTML-encodes every value. Also holds the default templates of every kind.
/// </summary>
public static partial class NotificationTemplates
{
    private static readonly string[] Common = ["tenant.name", "recipient.name"];
    private static readonly string[] TicketValues = ["ticket.number", "ticket.subject", "ticket.status", "ticket.priority", "customer.name", "actor.name"];

    /// <summary>The placeholders a template of <paramref name="kind"/> may use.</summary>
    public static IReadOnlyList<string> Placeholders(NotificationKind kind) => kind switch
    {
        NotificationKind.TicketReceived or NotificationKind.TicketCreated => [.. Common, .. TicketValues],
        NotificationKind.TicketAssigned => [.. Common, .. TicketValues, "agent.name"],
        NotificationKind.MessagePosted => [.. Common, .. TicketValues, "message.body", "message.author", "message.count"],
        NotificationKind.TicketStatusChanged => [.. Common, .. TicketValues, "status.from", "status.to"],
        NotificationKind.StaffAccountCreated => [.. Common, "account.role", "actor.name"],
        NotificationKind.PasswordReset => [.. Common, "reset.instructions"],
        NotificationKind.EmailConfirmation => [.. Common, "confirm.link"],
        NotificationKind.NewDeviceLogin => [.. Common, "device.description", "login.time"],
        _ => Common,
    };

    /// <summary>The built-in template of a kind (used when the tenant has none).</summary>
    public static NotificationTemplate Default(NotificationKind kind)
    {
        var (subject, text) = kind switch
        {
            NotificationKind.TicketReceived => ("[{{ticket.number}}] We received your request: {{ticket.subject}}",
                "Hello {{recipient.name}},\n\nThank you for contacting {{tenant.name}}. Your request has been received and given the number {{ticket.number}}.\n\nSubject: {{ticket.subject}}\n\nWe will get back to you as soon as possible. Please quote {{ticket.number}} when you contact us about it.\n\n{{tenant.name}} Support"),
            NotificationKind.TicketCreated => ("[{{ticket.number}}] New ticket: {{ticket.subject}}",
                "Hello {{recipient.name}},\n\n{{customer.name}} raised ticket {{ticket.number}} ({{ticket.priority}} priority):\n\n{{ticket.subject}}\n\nIt waits to be assigned.\n\n{{tenant.name}} helpdesk"),
            NotificationKind.TicketAssigned => ("[{{ticket.number}}] Assigned to {{agent.name}}: {{ticket.subject}}",
                "Hello {{recipient.name}},\n\nTicket {{ticket.number}} ({{ticket.subject}}) is now handled by {{agent.name}}.\n\n{{tenant.name}} Support"),
            NotificationKind.MessagePosted => ("[{{ticket.number}}] New reply: {{ticket.subject}}",
                "Hello {{recipient.name}},\n\nThere is news on ticket {{ticket.number}} ({{ticket.subject}}):\n\n{{message.body}}\n\n{{tenant.name}} Support"),
            NotificationKind.TicketStatusChanged => ("[{{ticket.number}}] Ticket {{status.to}}: {{ticket.subject}}",
                "Hello {{recipient.name}},\n\n{{actor.name}} changed ticket {{ticket.number}} ({{ticket.subject}}) from {{status.from}} to {{status.to}}.\n\n{{tenant.name}} Support"),
            NotificationKind.StaffAccountCreated => ("Your {{tenant.name}} helpdesk account",
                "Hello {{recipient.name}},\n\n{{actor.name}} added you to the {{tenant.name}} helpdesk as {{account.role}}. You will receive a separate message to set your password.\n\n{{tenant.name}} helpdesk"),
            NotificationKind.PasswordReset => ("Your {{tenant.name}} password",
                "Hello {{recipient.name}},\n\n{{reset.instructions}}\n\nIf you did not ask for this, ignore this message; your password stays as it is.\n\n{{tenant.name}}"),
            NotificationKind.EmailConfirmation => ("Confirm your email",
                "Welcome to {{tenant.name}}!\n\nConfirm your email address by opening this link:\n\n{{confirm.link}}\n"),
            NotificationKind.NewDeviceLogin => ("New sign-in to your {{tenant.name}} account",
                "Hello {{recipient.name}},\n\nYour account was signed in to from a new device at {{login.time}}:\n\n{{device.description}}\n\nIf this was you, there is nothing to do. If not, reset your password now.\n\n{{tenant.name}}"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        return new NotificationTemplate { Kind = kind, Subject = subject, Text = text, Html = HtmlFromText(text) };
    }

    /// <summary>
    /// Checks a template for syntax errors (an unclosed <c>{{</c>, a stray <c>}}</c>, a malformed name)
    /// and placeholders the kind does not have. Returns the problems per part (<c>subject</c>, <c>text</c>, <c>html</c>).
    /// </summary>
    public static Dictionary<string, string[]> Validate(NotificationKind kind, string? subject, string? text, string? html)
    {
        var errors = new Dictionary<string, string[]>();
        var allowed = Placeholders(kind);
        void Check(string field, string? value, int maxLength, bool singleLine)
        {
            var problems = new List<string>();
            if (string.IsNullOrWhiteSpace(value)) problems.Add($"{char.ToUpperInvariant(field[0])}{field[1..]} is required.");
            else
            {
                if (value.Length > maxLength) problems.Add($"{char.ToUpperInvariant(field[0])}{field[1..]} must be at most {maxLength} characters.");
                if (singleLine && value.IndexOfAny(['\r', '\n']) >= 0) problems.Add("The subject must be one line.");
                foreach (var token in Tokenize(value))
                {
                    if (token.Error is not null) problems.Add(token.Error);
                    else if (token.Placeholder is { } name && !allowed.Contains(name))
                        problems.Add($"Unknown placeholder {{{{{name}}}}} at position {token.Position}. This kind offers: {string.Join(", ", allowed.Select(a => "{{" + a + "}}"))}.");
                }
            }
            if (problems.Count > 0) errors[field] = [.. problems.Distinct()];
        }
        Check("subject", subject, 300, singleLine: true);
        Check("text", text, 20_000, singleLine: false);
        Check("html", html, 50_000, singleLine: false);
        return errors;
    }

    /// <summary>Fills in a template; with <paramref name="html"/> every value is HTML-encoded (line breaks become <c>&lt;br&gt;</c>). Unknown names render empty.</summary>
    public static string Render(string template, IReadOnlyDictionary<string, string> values, bool html)
    {
        var result = new StringBuilder(template.Length + 256);
        foreach (var token in Tokenize(template))
        {
            if (token.Placeholder is { } name)
            {
                var value = values.GetValueOrDefault(name) ?? "";
                result.Append(html ? WebUtility.HtmlEncode(value).Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "<br>\n", StringComparison.Ordinal) : value);
            }
            else result.Append(token.Literal ?? "");
        }
        return result.ToString();
    }

    private static string HtmlFromText(string text)
    {
        var body = new StringBuilder("<!DOCTYPE html>\n<html><body style=\"font-family: sans-serif; line-height: 1.4\">\n<p>");
        foreach (var token in Tokenize(text))
        {
            if (token.Placeholder is { } name) body.Append("{{").Append(name).Append("}}");
            else body.Append(WebUtility.HtmlEncode(token.Literal ?? "").Replace("\n\n", "</p>\n<p>", StringComparison.Ordinal).Replace("\n", "<br>\n", StringComparison.Ordinal));
        }
        return body.Append("</p>\n</body></html>\n").ToString();
    }

    private readonly record struct Token(string? Literal, string? Placeholder, string? Error, int Position);

    private static IEnumerable<Token> Tokenize(string template)
    {
        var position = 0;
        while (position < template.Length)
        {
            var open = template.IndexOf("{{", position, StringComparison.Ordinal);
            var strayClose = template.IndexOf("}}", position, StringComparison.Ordinal);
            if (strayClose >= 0 && (open < 0 || strayClose < open))
            {
                yield return new Token(null, null, $"'}}}}' at position {strayClose} closes no placeholder.", strayClose);
                yield return new Token(template[position..(strayClose + 2)], null, null, position);
                position = strayClose + 2;
                continue;
            }
            if (open < 0)
            {
                yield return new Token(template[position..], null, null, position);
                yield break;
            }
            if (open > position) yield return new Token(template[position..open], null, null, position);
            var close = template.IndexOf("}}", open + 2, StringComparison.Ordinal);
            var nextOpen = template.IndexOf("{{", open + 2, StringComparison.Ordinal);
            if (close < 0 || (nextOpen >= 0 && nextOpen < close))
            {
                yield return new Token(null, null, $"'{{{{' at position {open} is not closed with '}}}}'.", open);
                yield return new Token(template[open..(open + 2)], null, null, open);
                position = open + 2;
                continue;
            }
            var name = template[(open + 2)..close].Trim();
            if (!PlaceholderName().IsMatch(name))
                yield return new Token(null, null, $"'{{{{{template[(open + 2)..close]}}}}}' at position {open} is not a placeholder name like {{{{ticket.number}}}}.", open);
            else yield return new Token(null, name, null, open);
            position = close + 2;
        }
    }

    [GeneratedRegex(@"^[a-z]+(\.[a-z]+)*$")]
    private static partial Regex PlaceholderName();
}
