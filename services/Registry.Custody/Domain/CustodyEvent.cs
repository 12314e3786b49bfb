namespace Registry.Custody.Domain;

public enum CustodyEventKind
{
    /// <summary>Taken into custody at capture by the capturing agency.</summary>
    Captured = 1,
    /// <summary>Arrival at a place of internment.</summary>
    Admitted = 2,
}

/// <summary>
/// One entry of a case's custody timeline. Append-only: never updated or deleted. <see cref="Hash"/>
/// chains it to the entry before (<see cref="CustodyChain"/>), so an altered or missing entry shows.
/// </summary>
public sealed class CustodyEvent
{
    public long Id { get; set; }
    public Guid CaseId { get; set; }
    public long Sequence { get; set; }
    public CustodyEventKind Kind { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public string? FacilityName { get; set; }
    public string? FacilityLocality { get; set; }
    public string? FacilityCountry { get; set; }
    public required string CustodianAgency { get; set; }
    public string? Note { get; set; }
    public required string PreviousHash { get; set; }
    public string Hash { get; set; } = "";
    /// <summary>The caller's idempotency key, for events a caller asked for (not those custody derives from events).</summary>
    public Guid? RequestId { get; set; }
    /// <summary>SHA-256 of the request that asked for it: the same key with another request is refused.</summary>
    public byte[]? RequestHash { get; set; }

    public Facility? Facility => FacilityName is null ? null : new Facility(FacilityName, FacilityLocality, FacilityCountry);
}
