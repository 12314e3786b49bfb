namespace Registry.ServiceDefaults.Domain;

/// <summary>
/// A rule of a record's lifecycle refuses a change (a person already held cannot be admitted again, a
/// resolved condition cannot be resolved twice). Thrown by domain code, which knows nothing of gRPC;
/// <see cref="Grpc.ExceptionMappingInterceptor"/> answers it with FAILED_PRECONDITION carrying
/// <c>google.rpc.ErrorInfo{reason, domain "registry"}</c> and one <c>google.rpc.PreconditionFailure</c>
/// violation <c>{type = reason, subject, description}</c>, the same shape in every service.
/// </summary>
public sealed class RuleViolationException : Exception
{
    /// <param name="reason">Stable UPPER_SNAKE_CASE code callers may branch on, e.g. <c>CUSTODY_ALREADY_HELD</c> (AIP-193).</param>
    /// <param name="resourceType">The kind of record whose rule refused, e.g. <c>registry.custody.v1.CustodyRecord</c>.</param>
    /// <param name="subject">The record as a resource name, e.g. <c>cases/{case_id}</c>.</param>
    /// <param name="message">What the rule says, in words for a person.</param>
    public RuleViolationException(string reason, string resourceType, string subject, string message) : base(message)
    {
        if (reason.Length == 0 || !reason.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_'))
        {
            throw new ArgumentException($"A reason code is UPPER_SNAKE_CASE, not '{reason}'.", nameof(reason));
        }

        Reason = reason;
        ResourceType = resourceType;
        Subject = subject;
    }

    /// <summary>The stable reason code, e.g. <c>CASE_MERGED</c>.</summary>
    public string Reason { get; }

    /// <summary>The kind of record whose rule refused, e.g. "registry.custody.v1.CustodyRecord".</summary>
    public string ResourceType { get; }

    /// <summary>Which record, as a resource name, e.g. "cases/0195…".</summary>
    public string Subject { get; }
}
