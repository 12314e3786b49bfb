using Registry.Intake.Domain;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Intake.Features.Search;

/// <summary>A validated search of the register: every criterion optional; the name as query words (<see cref="NameSearch.Query"/>).</summary>
public sealed record CaseSearch(
    NameQuery? NameWords, string? ServiceNumberKey, string? Nationality, StatusCategory? Status,
    DateTimeOffset? CapturedFrom, DateTimeOffset? CapturedUntil, string? CapturingAgency, bool IncludeMerged,
    PageRequest Page);
