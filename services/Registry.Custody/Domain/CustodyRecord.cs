namespace Registry.Custody.Domain;

/// <summary>Where a captured person is and who answers for them. Opened when intake registers the case.</summary>
public sealed class CustodyRecord
{
    public Guid CaseId { get; set; }
    public required string CaseNumber { get; set; }
    public CustodyState State { get; set; }
    public DateTimeOffset CapturedAt { get; set; }
    public required string CapturePlace { get; set; }
    public required string CapturingAgency { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
}

public enum CustodyState
{
    /// <summary>Registered at capture, not yet admitted to a place of internment.</summary>
    AwaitingAdmission = 1,
}
