using Registry.ServiceDefaults.Security;

namespace Registry.Custody.Features.Interviews;

/// <summary>
/// Who sees which interviews (DOMAIN.md "Roles"; the access table's ListInterviews row): the custodian, the coordinator
/// and the auditor see every interview of a case; any other caller (a partner agency on a case shared with it, and, in
/// the case file, the other roles that read the custody record) sees only the interviews its own agency took part in,
/// as interviewing agency, interpreter's agency or among those present (<see cref="Domain.Interview.TookPart"/>).
/// Decided from the caller's verified token, never from the request.
/// </summary>
public static class InterviewVisibility
{
    /// <summary>The roles that see every interview of a case.</summary>
    public static readonly IReadOnlySet<string> SeeAll = new HashSet<string>(StringComparer.Ordinal)
    {
        RegistryRoles.Custodian, RegistryRoles.Coordinator, RegistryRoles.Auditor,
    };

    /// <summary>Null when <paramref name="caller"/> sees every interview; else the agency whose interviews alone it sees.</summary>
    public static string? OnlyAgencyOf(CallerIdentity caller) => caller.Roles.Any(SeeAll.Contains) ? null : caller.Agency;
}
