using MassTransit;

namespace Registry.Contracts;

/// <summary>
/// A medic recorded a death with its certificate (GC III Art. 120). Intake notifies the ICRC and the Information
/// Bureau (Art. 120, 122); custody closes its record. It carries what Art. 120 has the death certificate forwarded
/// with (date and place of death, the cause as certified, the certificate) and, if the death opened an official
/// enquiry (Art. 121), its reference, which the Protecting Power is told of; nothing else of the medical record (no
/// conditions, encounters, notes, nor the manner of death, which the enquiry examines).
/// </summary>
[MessageUrn("Registry.Contracts:DeathRecorded")]
[EntityName("Registry.Contracts:DeathRecorded")]
public sealed record DeathRecorded
{
    public required Guid CaseId { get; init; }
    public required DateTimeOffset DiedAt { get; init; }
    public required string Place { get; init; }
    /// <summary>The cause of death as the death certificate states it.</summary>
    public required string Cause { get; init; }
    public required string CertificateNumber { get; init; }
    public required string CertificateIssuedBy { get; init; }
    public required DateTimeOffset CertificateIssuedAt { get; init; }
    /// <summary>The reference of the enquiry the death opened (Art. 121), or null when none was called for.</summary>
    public string? EnquiryReference { get; init; }
}
