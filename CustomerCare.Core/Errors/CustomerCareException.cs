namespace CustomerCare.Errors;

/// <summary>
/// Base of the errors CustomerCare's managers raise. Every front end maps them the same way:
/// the HTTP API turns each into a problem-details response with a stable <see cref="Code"/>.
/// </summary>
public abstract class CustomerCareException : Exception
{
    /// <summary>Creates an error with a stable machine-readable code and a message for people.</summary>
    protected CustomerCareException(string code, string message) : base(message) => Code = code;

    /// <summary>Stable machine-readable code, used as the last segment of the problem <c>type</c>.</summary>
    public string Code { get; }
}

/// <summary>The input is invalid; <see cref="Errors"/> says what is wrong with each field.</summary>
public sealed class ValidationException : CustomerCareException
{
    /// <summary>Creates a validation error with messages per field.</summary>
    public ValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base("validation", "One or more fields are invalid.") => Errors = errors;

    /// <summary>Creates a validation error for one field.</summary>
    public ValidationException(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] }) { }

    /// <summary>Messages per field (camelCase field names, dotted for nested fields).</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }
}

/// <summary>The thing does not exist, or the caller may not see it (the two are indistinguishable on purpose).</summary>
public sealed class NotFoundException(string what)
    : CustomerCareException("not-found", $"The {what} was not found.")
{
    /// <summary>What was looked for (e.g. <c>ticket</c>).</summary>
    public string What { get; } = what;
}

/// <summary>The caller sees the thing but may not do this to it.</summary>
public sealed class ForbiddenException(string message) : CustomerCareException("forbidden", message);

/// <summary>The action is illegal in the thing's current state (e.g. a message on a closed ticket).</summary>
public sealed class ConflictException(string code, string message) : CustomerCareException(code, message);

/// <summary>The caller's expected version is stale: someone else changed the thing first.</summary>
public sealed class PreconditionFailedException(long currentVersion)
    : CustomerCareException("stale-version", $"The ticket was changed by someone else; its current version is {currentVersion}. Reload it and try again.")
{
    /// <summary>The version the thing has now.</summary>
    public long CurrentVersion { get; } = currentVersion;
}

/// <summary>An idempotency key was reused with a different request.</summary>
public sealed class IdempotencyKeyReusedException()
    : CustomerCareException("idempotency-key-reused", "This Idempotency-Key was already used with a different request body.");

/// <summary>Raised by stores when an optimistic-concurrency check fails. Managers retry or turn it into <see cref="PreconditionFailedException"/>.</summary>
public sealed class ConcurrencyConflictException()
    : CustomerCareException("concurrency-conflict", "The ticket was changed concurrently.");

/// <summary>Raised by stores when a unique request key was already stored (a concurrent replay).</summary>
public sealed class DuplicateRequestException()
    : CustomerCareException("duplicate-request", "The same request was already processed.");
