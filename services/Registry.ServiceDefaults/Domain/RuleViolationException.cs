namespace Registry.ServiceDefaults.Domain;

/// <summary>
/// A rule of a record's lifecycle refuses a change (a person already held cannot be admitted again, a
/// resolved condition cannot be resolved twice). Thrown by domain code, which knows nothing of gRPC;
/// <see cref="Grpc.ExceptionMappingInterceptor"/> answers it with FAILED_PRECONDITION naming the rule.
/// </summary>
public sealed class RuleViolationException(string resourceType, string subject, string message) : Exception(message)
{
    /// <summary>The kind of record whose rule refused, e.g. "registry.custody.v1.CustodyRecord".</summary>
    public string ResourceType { get; } = resourceType;

    /// <summary>Which record, e.g. its case id.</summary>
    public string Subject { get; } = subject;
}
