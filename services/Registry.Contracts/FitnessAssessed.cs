using MassTransit;

namespace Registry.Contracts;

/// <summary>
/// A medic assessed a person's fitness for a purpose (GC III Art. 17 interview, Art. 46-48 transfer, Art. 109-117
/// repatriation). Custody follows it; the question "is the person fit now" is answered by medical's <c>GetFitness</c>,
/// which also knows of later assessments. No clinical reasons travel with it; <see cref="Conditions"/> do: they are the
/// practical restrictions custody must follow (e.g. "interviews of at most 2 hours with a rest"), not a diagnosis.
/// </summary>
[MessageUrn("Registry.Contracts:FitnessAssessed")]
[EntityName("Registry.Contracts:FitnessAssessed")]
public sealed record FitnessAssessed
{
    public required Guid AssessmentId { get; init; }
    public required Guid CaseId { get; init; }
    /// <summary>INTERVIEW, TRANSFER or REPATRIATION.</summary>
    public required string Purpose { get; init; }
    /// <summary>FIT, FIT_WITH_CONDITIONS or UNFIT.</summary>
    public required string Outcome { get; init; }
    /// <summary>Set for FIT_WITH_CONDITIONS only.</summary>
    public string? Conditions { get; init; }
    public required DateTimeOffset AssessedAt { get; init; }
    /// <summary>Exclusive: no longer in force from this instant.</summary>
    public required DateTimeOffset ValidUntil { get; init; }
}
