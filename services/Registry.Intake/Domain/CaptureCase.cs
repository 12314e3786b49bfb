namespace Registry.Intake.Domain;

/// <summary>
/// A case: one captured person, opened at capture. Identity facts beyond a name may be unknown
/// (GC III Art. 17 obliges a prisoner to give only surname, first names, rank, date of birth and
/// service number, and he may be unable to).
/// </summary>
public sealed class CaptureCase
{
    /// <summary>Sequential number, the source of the human-readable case number.</summary>
    public long Number { get; set; }
    public Guid CaseId { get; set; }
    /// <summary>The client's idempotency key and a hash of what it sent with it.</summary>
    public Guid RequestId { get; set; }
    public required byte[] RequestHash { get; set; }

    public required string FamilyName { get; set; }
    public required string GivenNames { get; set; }
    public string? Rank { get; set; }
    public string? ServiceNumber { get; set; }
    public int? BirthYear { get; set; }
    public int? BirthMonth { get; set; }
    public int? BirthDay { get; set; }
    public string? Nationality { get; set; }

    public DateTimeOffset CapturedAt { get; set; }
    public required string CapturePlace { get; set; }
    public required string CapturingUnit { get; set; }
    public required string CapturingAgency { get; set; }

    public DateTimeOffset RegisteredAt { get; set; }

    public string CaseNumber => FormatCaseNumber(Number);

    public PartialDate? DateOfBirth
    {
        get => BirthYear is { } year ? new PartialDate(year, BirthMonth, BirthDay) : null;
        set => (BirthYear, BirthMonth, BirthDay) = (value?.Year, value?.Month, value?.Day);
    }

    public static string FormatCaseNumber(long number) => $"RC-{number:D6}";
}
