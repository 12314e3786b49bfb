using Registry.Intake.Domain;

namespace Registry.Intake.Tests.Domain;

/// <summary>Aggregates built through their factories, as the handlers build them.</summary>
internal static class Aggregates
{
    public static readonly DateTimeOffset Captured = new(2026, 3, 1, 6, 0, 0, TimeSpan.Zero);

    public static CaptureCase NewCase(DateTimeOffset? registeredAt = null, string agency = "a") =>
        CaptureCase.Register(Guid.NewGuid(), [], new CaptureDetails(Captured, "p", null, null, "u", agency, null), registeredAt ?? Captured.AddHours(2));
}
