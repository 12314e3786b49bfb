using MassTransit;

namespace Registry.Contracts;

/// <summary>
/// The person is no longer marked seriously ill or wounded from <see cref="Until"/>: the weekly health report clock
/// (GC III Art. 122) stops. <see cref="Died"/> says it stopped because death was recorded (which is reported to the
/// ICRC on its own, Art. 120), not because a medic unmarked the person. <see cref="RecordVersion"/> as in
/// <see cref="SeriouslyIllMarked"/>.
/// </summary>
[MessageUrn("Registry.Contracts:SeriouslyIllUnmarked")]
[EntityName("Registry.Contracts:SeriouslyIllUnmarked")]
public sealed record SeriouslyIllUnmarked
{
    public required Guid CaseId { get; init; }
    public required DateTimeOffset Until { get; init; }
    public bool Died { get; init; }
    public required long RecordVersion { get; init; }
}
