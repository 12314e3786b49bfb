using Registry.ServiceDefaults.Domain;
using Registry.ServiceDefaults.Security;

namespace Registry.Medical.Domain;

/// <summary>Why an official enquiry is held (GC III Art. 121).</summary>
public enum EnquiryGrounds
{
    DeathOfUnknownCause = 1,
    DeathCausedByGuard = 2,
    DeathCausedByAnotherPrisoner = 3,
    DeathCausedByOtherPerson = 4,
    SeriousInjuryCausedByGuard = 5,
    SeriousInjuryCausedByAnotherPrisoner = 6,
    SeriousInjuryCausedByOtherPerson = 7,
}

public enum EnquiryStatus
{
    Open = 1,
    Closed = 2,
}

/// <summary>
/// An official enquiry (GC III Art. 121) into a death or serious injury caused or suspected to have been caused by a
/// sentry, another prisoner or any other person, or a death of unknown cause. Opened by <see cref="MedicalRecord.RecordDeath"/>
/// or <see cref="MedicalRecord.OpenEnquiry"/>, closed with its findings. Holds no clinical detail: the coordinator reads it.
/// </summary>
public sealed class Enquiry
{
    public const string ResourceType = "registry.medical.v1.Enquiry";
    public const int ReferenceMaxLength = 64;
    public const int CircumstancesMaxLength = 2000;
    public const int FindingsMaxLength = 4000;
    public const int RecordedByMaxLength = 200;

    private Enquiry()
    {
    }

    public long Id { get; private set; }
    public Guid EnquiryId { get; private set; }
    public Guid CaseId { get; private set; }
    /// <summary>The case number and the enquiry's number on the case, e.g. RC-000032/ENQ-1.</summary>
    public string Reference { get; private set; } = "";
    public EnquiryGrounds Grounds { get; private set; }
    public string Circumstances { get; private set; } = "";
    public DateTimeOffset OccurredAt { get; private set; }
    public EnquiryStatus Status { get; private set; }
    public DateTimeOffset OpenedAt { get; private set; }
    public string OpenedByAgency { get; private set; } = "";
    public string OpenedByClient { get; private set; } = "";
    public string? Findings { get; private set; }
    public DateTimeOffset? ClosedAt { get; private set; }
    public string? ClosedByAgency { get; private set; }
    public string? ClosedByClient { get; private set; }
    /// <summary>OpenEnquiry's idempotency key; null when a death opened it (the death holds that key).</summary>
    public Guid? RequestId { get; private set; }
    public byte[]? RequestHash { get; private set; }
    public Guid? CloseRequestId { get; private set; }
    public byte[]? CloseRequestHash { get; private set; }
    /// <summary>Bumped on every change: two closings at once cannot both succeed.</summary>
    public long Version { get; private set; }

    public string Subject => $"enquiries/{EnquiryId}";

    public static bool IsDeath(EnquiryGrounds grounds) => grounds <= EnquiryGrounds.DeathCausedByOtherPerson;

    internal static Enquiry Open(MedicalRecord record, int number, EnquiryGrounds grounds, DateTimeOffset occurredAt, string circumstances,
        CallerIdentity openedBy, DateTimeOffset now) => new()
    {
        EnquiryId = Guid.CreateVersion7(now),
        CaseId = record.CaseId,
        Reference = $"{record.CaseNumber}/ENQ-{number}",
        Grounds = grounds,
        Circumstances = circumstances,
        OccurredAt = occurredAt,
        Status = EnquiryStatus.Open,
        OpenedAt = now,
        OpenedByAgency = openedBy.Agency,
        OpenedByClient = openedBy.ClientId,
    };

    public void AnswersRequest(Guid requestId, byte[] requestHash)
    {
        RequestId = requestId;
        RequestHash = requestHash;
    }

    /// <summary>Closes the enquiry with its findings; FAILED_PRECONDITION ENQUIRY_CLOSED when it was closed before.</summary>
    public void Close(string findings, CallerIdentity closedBy, Guid requestId, byte[] requestHash, DateTimeOffset now)
    {
        if (Status == EnquiryStatus.Closed)
        {
            throw new RuleViolationException("ENQUIRY_CLOSED", ResourceType, Subject,
                $"Enquiry {Reference} was closed at {ClosedAt:u}; its findings stand.");
        }

        Status = EnquiryStatus.Closed;
        Findings = findings;
        ClosedAt = now;
        ClosedByAgency = closedBy.Agency;
        ClosedByClient = closedBy.ClientId;
        CloseRequestId = requestId;
        CloseRequestHash = requestHash;
        Version++;
    }

    internal void MoveTo(MedicalRecord survivor) => CaseId = survivor.CaseId;
}
