namespace Registry.ServiceDefaults.Security;

/// <summary>
/// The roles of callers (../shared/design/DOMAIN.md, "Roles"). Each caller is one agency system with
/// one or more of these; what each may call is the access table (access-table.json).
/// </summary>
public static class RegistryRoles
{
    /// <summary>A capturing unit: registers captures in its own agency's name.</summary>
    public const string IntakeOfficer = "intake-officer";

    /// <summary>The agency holding the person: admissions, transfers, interviews.</summary>
    public const string Custodian = "custodian";

    /// <summary>The medical service: the only role that reads clinical detail (GC III Art. 30-31).</summary>
    public const string Medic = "medic";

    /// <summary>The POW coordination headquarters, the National Information Bureau (GC III Art. 122).</summary>
    public const string Coordinator = "coordinator";

    /// <summary>A delegate of the ICRC's Central Tracing Agency (GC III Art. 123, 126).</summary>
    public const string IcrcDelegate = "icrc-delegate";

    /// <summary>Read-only oversight; reads the access audit, never clinical detail.</summary>
    public const string Auditor = "auditor";

    /// <summary>A foreign agency: sees only cases shared with it, identity and custody only.</summary>
    public const string Partner = "partner";

    public static readonly IReadOnlyList<string> All =
        [IntakeOfficer, Custodian, Medic, Coordinator, IcrcDelegate, Auditor, Partner];
}
