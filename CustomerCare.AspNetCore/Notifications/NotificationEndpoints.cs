using CustomerCare.Notifications;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CustomerCare.AspNetCore.Notifications;

/// <summary>Handlers of <c>/notifications</c>: dead letters and templates (admins), the caller's preferences.</summary>
internal static class NotificationEndpoints
{
    public static async Task<Ok<NotificationPageResponse>> ListDeadLetters(HttpContext context, NotificationManager notifications)
    {
        var page = await notifications.ListDeadLettersAsync(context.Actor(), context.Request.Query["cursor"], HttpHelpers.OptionalInt(context, "limit"), context.RequestAborted);
        return TypedResults.Ok(new NotificationPageResponse([.. page.Items.Select(NotificationResponse.From)], page.NextCursor));
    }

    public static async Task<Ok<NotificationResponse>> Retry(string id, HttpContext context, NotificationManager notifications)
    {
        var notification = await notifications.RetryAsync(context.Actor(), HttpHelpers.ParseId(id, "notification"), context.RequestAborted);
        return TypedResults.Ok(NotificationResponse.From(notification));
    }

    public static async Task<Ok<IReadOnlyList<NotificationTemplateView>>> ListTemplates(HttpContext context, NotificationManager notifications)
        => TypedResults.Ok(await notifications.ListTemplatesAsync(context.Actor(), context.RequestAborted));

    public static async Task<Ok<NotificationTemplateView>> SaveTemplate(string kind, HttpContext context, NotificationManager notifications)
    {
        var actor = context.Actor();
        var request = await JsonBody.ReadAsync<SaveTemplateRequest>(context);
        return TypedResults.Ok(await notifications.SaveTemplateAsync(actor, kind, request, context.RequestAborted));
    }

    public static async Task<Ok<NotificationTemplateView>> ResetTemplate(string kind, HttpContext context, NotificationManager notifications)
        => TypedResults.Ok(await notifications.ResetTemplateAsync(context.Actor(), kind, context.RequestAborted));

    public static async Task<Ok<NotificationPreferences>> GetPreferences(HttpContext context, NotificationManager notifications)
        => TypedResults.Ok(await notifications.GetPreferencesAsync(context.Actor(), context.RequestAborted));

    public static async Task<Ok<NotificationPreferences>> SetPreferences(HttpContext context, NotificationManager notifications)
    {
        var request = await JsonBody.ReadAsync<UpdatePreferencesRequest>(context);
        return TypedResults.Ok(await notifications.SetPreferencesAsync(context.Actor(), request, context.RequestAborted));
    }
}

/// <summary>The recipient of a notification.</summary>
/// <param name="UserId">Host user id.</param>
/// <param name="Address">Where it is delivered.</param>
public sealed record NotificationRecipientResponse(string UserId, string Address);

/// <summary>A notification as an admin sees it (without its template data, which may hold secrets).</summary>
public sealed record NotificationResponse(
    Guid Id,
    string Kind,
    string Channel,
    NotificationStatus Status,
    NotificationRecipientResponse Recipient,
    Guid? TicketId,
    string? TicketNumber,
    int Attempts,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset? SentAt)
{
    internal static NotificationResponse From(OutboxNotification n) => new(
        n.Id, NotificationKinds.Name(n.Kind), n.Channel, n.Status, new NotificationRecipientResponse(n.RecipientUserId, n.RecipientAddress),
        n.TicketId, n.TicketReference, n.Attempts, n.LastError, n.CreatedAt, n.NextAttemptAt, n.SentAt);
}

/// <summary>A page of notifications.</summary>
/// <param name="Items">Oldest first.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; <c>null</c> on the last page.</param>
public sealed record NotificationPageResponse(IReadOnlyList<NotificationResponse> Items, string? NextCursor);
