namespace Registry.ServiceDefaults.Security;

/// <summary>
/// One access to case data, allowed or refused, as the owning service records it in its access audit
/// (GC III Art. 13: every read of a case is audited; QUALITY.md "Security").
/// </summary>
public sealed record AccessEvent
{
    /// <summary>When the call ended (UTC).</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>The service that owns the data and records the event: <c>intake</c>, <c>custody</c>, <c>medical</c>.</summary>
    public required string Service { get; init; }

    /// <summary>The gRPC method, e.g. <c>registry.medical.v1.MedicalService/GetMedicalRecord</c>.</summary>
    public required string Method { get; init; }

    /// <summary>The cases the call named or created (empty for a search or a list over all cases).</summary>
    public IReadOnlyList<Guid> CaseIds { get; init; } = [];

    /// <summary>The OAuth client id; empty when the caller was not authenticated.</summary>
    public string ClientId { get; init; } = "";

    /// <summary>The caller's agency; empty when not authenticated.</summary>
    public string Agency { get; init; } = "";

    /// <summary>The caller's roles, comma-separated; empty when not authenticated.</summary>
    public string Roles { get; init; } = "";

    /// <summary>The gRPC status code the call ended with, e.g. <c>OK</c>, <c>PERMISSION_DENIED</c>.</summary>
    public required string Outcome { get; init; }

    /// <summary>Why a call was refused (the status message), or empty.</summary>
    public string Reason { get; init; } = "";

    /// <summary>Parts of the answer withheld from this caller (e.g. <c>medical</c>), comma-separated.</summary>
    public string Withheld { get; init; } = "";

    /// <summary>The W3C trace id of the call, or empty.</summary>
    public string TraceId { get; init; } = "";

    /// <summary>Where the refusal was decided when not by this service: <c>gateway</c>; else empty.</summary>
    public string DecidedBy { get; init; } = "";
}

/// <summary>
/// Where a service's access events go: its own store, append-only. <see cref="RecordAsync"/> returns
/// when the event is durable, so no answer leaves before its audit row is committed.
/// </summary>
public interface IAccessAuditSink
{
    /// <summary>The gRPC package whose calls this sink records, e.g. <c>registry.intake.v1</c>.</summary>
    string Package { get; }

    /// <summary>The service name stored with each event, e.g. <c>intake</c>.</summary>
    string Service { get; }

    Task RecordAsync(AccessEvent accessEvent, CancellationToken cancellationToken);

    /// <summary>
    /// Records an answered call's event while its caller waits; when <paramref name="callerGone"/> fires before it is
    /// durable, records <paramref name="whenGone"/>'s event (the outcome the caller saw) in its place or after it, and
    /// throws <see cref="OperationCanceledException"/> (see <see cref="Audit.AccessAuditWriter{TDb}.RecordAnswerAsync"/>).
    /// </summary>
    Task RecordAnswerAsync(AccessEvent answered, Func<AccessEvent> whenGone, CancellationToken callerGone);
}
