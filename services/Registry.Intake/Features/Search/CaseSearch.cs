using Registry.Intake.Domain;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Intake.Features.Search;

/// <summary>A validated search of the register: every criterion optional; the name part already normalised (<see cref="NameSearch"/>).</summary>
public sealed record CaseSearch(
    string? NamePart, string? ServiceNumberKey, string? Nationality, StatusCategory? Status,
    DateTimeOffset? CapturedFrom, DateTimeOffset? CapturedUntil, string? CapturingAgency, bool IncludeMerged,
    PageRequest Page);
