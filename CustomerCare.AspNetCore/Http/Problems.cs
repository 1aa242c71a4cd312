using CustomerCare.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CustomerCare.AspNetCore;

/// <summary>Builds CustomerCare's problem-details responses (RFC 9457) with stable <c>type</c> URIs.</summary>
internal static class Problems
{
    /// <summary>Every problem type is <c>urn:customercare:problem:{code}</c>.</summary>
    public const string TypePrefix = "urn:customercare:problem:";

    public static ProblemHttpResult Create(int status, string code, string title, string? detail = null)
        => TypedResults.Problem(new ProblemDetails { Status = status, Type = TypePrefix + code, Title = title, Detail = detail });

    public static IResult From(CustomerCareException exception) => exception switch
    {
        ValidationException v => TypedResults.ValidationProblem(
            v.Errors.ToDictionary(kv => kv.Key, kv => kv.Value), title: "One or more fields are invalid.", type: TypePrefix + "validation"),
        NotFoundException n => Create(StatusCodes.Status404NotFound, "not-found", $"The {n.What} was not found."),
        ForbiddenException f => Create(StatusCodes.Status403Forbidden, "forbidden", "You may not do this.", f.Message),
        ConflictException c => Create(StatusCodes.Status409Conflict, c.Code, "The request conflicts with the current state.", c.Message),
        PreconditionFailedException p => Create(StatusCodes.Status412PreconditionFailed, p.Code, "The version you sent is stale.", p.Message),
        IdempotencyKeyReusedException i => Create(StatusCodes.Status422UnprocessableEntity, i.Code, "Idempotency key reused.", i.Message),
        PayloadTooLargeException t => Create(StatusCodes.Status413PayloadTooLarge, "payload-too-large", "The request body is too large.", t.Message),
        UnsupportedMediaTypeException u => Create(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Send the body as application/json.", u.Message),
        _ => Create(StatusCodes.Status409Conflict, exception.Code, "The request could not be completed.", exception.Message),
    };

    public static ProblemHttpResult TenantNotFound()
        => Create(StatusCodes.Status404NotFound, "tenant-not-found", "The tenant was not found.");

    public static ProblemHttpResult TenantSuspended()
        => Create(StatusCodes.Status503ServiceUnavailable, "tenant-suspended", "This helpdesk is temporarily unavailable.", "The organisation has suspended its helpdesk. Try again later.");

    public static ProblemHttpResult Unauthorized()
        => Create(StatusCodes.Status401Unauthorized, "unauthorized", "Sign in to this tenant first.");

    public static ProblemHttpResult RateLimited()
        => Create(StatusCodes.Status429TooManyRequests, "rate-limited", "Too many requests.", "Slow down and retry after the number of seconds in Retry-After.");

    public static Task Write(HttpContext context, IResult result) => result.ExecuteAsync(context);
}

/// <summary>The request body is larger than <see cref="CustomerCareHttpOptions.MaxRequestBodyBytes"/>.</summary>
internal sealed class PayloadTooLargeException(long limit)
    : CustomerCareException("payload-too-large", $"Request bodies are limited to {limit} bytes.");

/// <summary>The request body is not JSON.</summary>
internal sealed class UnsupportedMediaTypeException()
    : CustomerCareException("unsupported-media-type", "The request body must be application/json.");
