namespace Registry.Medical.Domain;

/// <summary>The state of health a weekly report gives (GC III Art. 122: the "state of health" the ICRC is told of).</summary>
public enum HealthState
{
    Improving = 1,
    Stable = 2,
    Deteriorating = 3,
    Critical = 4,
}

/// <summary>
/// One spell of being marked seriously ill or wounded (GC III Art. 122), from <see cref="Since"/> until it is unmarked
/// (<see cref="Until"/>), with the medic's grounds (clinical: medic only). Entered by <see cref="MedicalRecord.MarkSeriouslyIll"/>,
/// ended by <see cref="MedicalRecord.StopWeeklyReports"/>.
/// </summary>
public sealed class SeriousIllness
{
    public const int GroundsMaxLength = 2000;
    public const int EndNoteMaxLength = 1000;

    private SeriousIllness()
    {
    }

    public long Id { get; private set; }
    public Guid SeriousIllnessId { get; private set; }
    /// <summary>The case whose record holds it: the survivor's after a merge.</summary>
    public Guid CaseId { get; private set; }
    public DateTimeOffset Since { get; private set; }
    public string Grounds { get; private set; } = "";
    public DateTimeOffset MarkedAt { get; private set; }
    /// <summary>The agency and OAuth client of the medic who marked, from the caller's verified token.</summary>
    public string MarkedByAgency { get; private set; } = "";
    public string MarkedByClient { get; private set; } = "";
    public Guid RequestId { get; private set; }
    public byte[] RequestHash { get; private set; } = [];

    /// <summary>Set when the spell ended: unmarked, or death recorded.</summary>
    public DateTimeOffset? Until { get; private set; }
    public string? EndNote { get; private set; }
    public DateTimeOffset? EndedAt { get; private set; }
    public string? EndedByAgency { get; private set; }
    public string? EndedByClient { get; private set; }
    /// <summary>The idempotency key of the UnmarkSeriouslyIll that ended it (null when ended otherwise).</summary>
    public Guid? EndRequestId { get; private set; }
    public byte[]? EndRequestHash { get; private set; }

    public bool IsOpen => Until is null;

    internal static SeriousIllness Marked(MedicalRecord record, DateTimeOffset since, string grounds, DateTimeOffset now) => new()
    {
        SeriousIllnessId = Guid.CreateVersion7(now),
        CaseId = record.CaseId,
        Since = since,
        Grounds = grounds,
        MarkedAt = now,
    };

    public void MarkedBy(string agency, string clientId, Guid requestId, byte[] requestHash)
    {
        MarkedByAgency = agency;
        MarkedByClient = clientId;
        RequestId = requestId;
        RequestHash = requestHash;
    }

    internal void End(DateTimeOffset until, string? note, DateTimeOffset now)
    {
        Until = until < Since ? Since : until;
        EndNote = note;
        EndedAt = now;
    }

    public void EndedBy(string agency, string clientId, Guid? requestId = null, byte[]? requestHash = null)
    {
        EndedByAgency = agency;
        EndedByClient = clientId;
        EndRequestId = requestId;
        EndRequestHash = requestHash;
    }

    /// <summary>The person's spells move with the record when two cases of the person are merged.</summary>
    internal void MoveTo(MedicalRecord survivor) => CaseId = survivor.CaseId;
}

/// <summary>A weekly health report of a person marked seriously ill or wounded (GC III Art. 122). Never changed once entered.</summary>
public sealed class WeeklyHealthReport
{
    public const int NotesMaxLength = 4000;

    private WeeklyHealthReport()
    {
    }

    public long Id { get; private set; }
    public Guid ReportId { get; private set; }
    public Guid CaseId { get; private set; }
    public DateTimeOffset ReportedAt { get; private set; }
    public HealthState State { get; private set; }
    /// <summary>Clinical notes: medic only; never published.</summary>
    public string? Notes { get; private set; }
    public DateTimeOffset RecordedAt { get; private set; }
    public string RecordedByAgency { get; private set; } = "";
    public string RecordedByClient { get; private set; } = "";
    public Guid RequestId { get; private set; }
    public byte[] RequestHash { get; private set; } = [];

    internal static WeeklyHealthReport Recorded(MedicalRecord record, DateTimeOffset reportedAt, HealthState state, string? notes, DateTimeOffset now) => new()
    {
        ReportId = Guid.CreateVersion7(now),
        CaseId = record.CaseId,
        ReportedAt = reportedAt,
        State = state,
        Notes = notes,
        RecordedAt = now,
    };

    public void RecordedBy(string agency, string clientId, Guid requestId, byte[] requestHash)
    {
        RecordedByAgency = agency;
        RecordedByClient = clientId;
        RequestId = requestId;
        RequestHash = requestHash;
    }

    internal void MoveTo(MedicalRecord survivor) => CaseId = survivor.CaseId;
}
