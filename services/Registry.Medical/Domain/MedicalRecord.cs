namespace Registry.Medical.Domain;

/// <summary>A captured person's medical record, opened when intake registers the case.</summary>
public sealed class MedicalRecord
{
    /// <summary>GC III Art. 31: medical inspections at least once a month.</summary>
    public static readonly TimeSpan InspectionInterval = TimeSpan.FromDays(30);

    public Guid CaseId { get; set; }
    public required string CaseNumber { get; set; }
    public MedicalStatus Status { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
    public DateTimeOffset ExaminationDueBy { get; set; }

    public static MedicalRecord Open(Guid caseId, string caseNumber, DateTimeOffset now) => new()
    {
        CaseId = caseId,
        CaseNumber = caseNumber,
        Status = MedicalStatus.AwaitingExamination,
        OpenedAt = now,
        ExaminationDueBy = now + InspectionInterval,
    };
}

public enum MedicalStatus
{
    /// <summary>Opened at capture; no examination recorded yet.</summary>
    AwaitingExamination = 1,
}
