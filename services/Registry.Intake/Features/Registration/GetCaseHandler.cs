using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;

namespace Registry.Intake.Features.Registration;

/// <summary>Reads one case as it stands.</summary>
public sealed class GetCaseHandler(CaseStore cases)
{
    public Task<CaptureCase> HandleAsync(Guid caseId, CancellationToken ct) => cases.FindAsync(caseId, tracked: false, ct);
}
