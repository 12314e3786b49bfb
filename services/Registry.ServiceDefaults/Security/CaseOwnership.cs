namespace Registry.ServiceDefaults.Security;

/// <summary>
/// What a service knows about whose record a case is: the agencies whose own records it is (e.g. the
/// capturing agency; in custody also the custodian agency) and the agencies it is currently shared with.
/// </summary>
public sealed record CaseOwnership(IReadOnlySet<string> Agencies, IReadOnlySet<string> SharedWith);

/// <summary>
/// A service's answer to "whose record is this case", for the access check of rows scoped to the caller's
/// own agency or to shared cases. One per service module, registered with the package of its gRPC API.
/// </summary>
public interface ICaseOwnership
{
    /// <summary>The gRPC package this service serves, e.g. <c>registry.intake.v1</c>.</summary>
    string Package { get; }

    /// <summary>The case's owners and shares; null when the service has no such case (its handler then answers NOT_FOUND).</summary>
    Task<CaseOwnership?> FindAsync(Guid caseId, CancellationToken cancellationToken);
}
