using Registry.Contracts;
using Registry.Intake.Domain;

namespace Registry.Intake.Features.Cases;

/// <summary>The events intake publishes, built from the case as it stands after the change.</summary>
public static class CaseEvents
{
    public static CaseRegistered Registered(CaptureCase c) => new()
    {
        CaseId = c.CaseId,
        CaseNumber = c.CaseNumber,
        FamilyName = c.Identity.FamilyName ?? "",
        GivenNames = c.Identity.GivenNames ?? "",
        FamilyNameLatin = c.Identity.FamilyNameLatin,
        GivenNamesLatin = c.Identity.GivenNamesLatin,
        Rank = c.Identity.Rank,
        ServiceNumber = c.Identity.ServiceNumber,
        DateOfBirth = c.Identity.DateOfBirth?.ToString(),
        Nationality = c.Identity.Nationality,
        Sex = c.Identity.Sex,
        Languages = string.IsNullOrEmpty(c.Identity.Languages) ? [] : c.Identity.Languages.Split(','),
        CapturedAt = c.CapturedAt,
        CapturePlace = c.CapturePlace,
        CapturingUnit = c.CapturingUnit,
        CapturingAgency = c.CapturingAgency,
        StatusCategory = c.StatusCategory.ToString(),
        RegisteredAt = c.RegisteredAt,
        Revision = c.Revision,
    };

    public static IdentityUpdated IdentityUpdated(CaptureCase c, IEnumerable<string> fields, AssertionSource source) => new()
    {
        CaseId = c.CaseId,
        CaseNumber = c.CaseNumber,
        Revision = c.Revision,
        ChangedFields = fields.ToList(),
        Source = source.Kind.ToString(),
        FamilyName = c.Identity.FamilyName,
        GivenNames = c.Identity.GivenNames,
        FamilyNameLatin = c.Identity.FamilyNameLatin,
        GivenNamesLatin = c.Identity.GivenNamesLatin,
        Rank = c.Identity.Rank,
        ServiceNumber = c.Identity.ServiceNumber,
        DateOfBirth = c.Identity.DateOfBirth?.ToString(),
        Nationality = c.Identity.Nationality,
        UpdatedAt = c.UpdatedAt,
    };

    public static StatusCategoryChanged StatusChanged(CaptureCase c, StatusChange change) => new()
    {
        CaseId = c.CaseId,
        CaseNumber = c.CaseNumber,
        Revision = c.Revision,
        From = change.From?.ToString(),
        To = change.To.ToString(),
        DecisionReference = change.DecisionReference,
        DecidedBy = change.DecidedBy,
        DecidedAt = change.DecidedAt,
        ChangedAt = change.RecordedAt,
    };

    public static CasesMerged Merged(CaptureCase survivor, CaptureCase merged, string reason, DateTimeOffset now) => new()
    {
        SurvivorCaseId = survivor.CaseId,
        SurvivorCaseNumber = survivor.CaseNumber,
        MergedCaseId = merged.CaseId,
        MergedCaseNumber = merged.CaseNumber,
        Reason = reason,
        MergedAt = now,
    };
}
