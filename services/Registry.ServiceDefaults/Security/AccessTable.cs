using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Registry.ServiceDefaults.Security;

/// <summary>How far a role's permission on an RPC reaches (one cell of the access table).</summary>
public enum AccessScope
{
    /// <summary>The role may not call the RPC (the cell is absent).</summary>
    Denied = 0,

    /// <summary>Only on cases currently shared with the caller's agency.</summary>
    Shared = 1,

    /// <summary>Only on the caller's own agency's records; a write's agency field must be the caller's agency.</summary>
    OwnAgency = 2,

    /// <summary>On every case.</summary>
    Any = 3,
}

/// <summary>
/// One row of the access table: an RPC, the agency field its writes carry (or the agency filter its reads take),
/// and each role's scope. The field is a dotted path; a part ending in <c>[]</c> is a repeated message field whose
/// every element carries the agency (a batch: <c>rows[].capture.capturing_agency</c>, <see cref="ProtoCaseFields.ReadAll"/>). With <see cref="AgencyIsFilter"/> a blank field is refused to an own-agency role (a search
/// without its agency filter would reach every agency's records); a write's blank field is bad input for its handler.
/// </summary>
public sealed record AccessRow(string Method, string? AgencyField, IReadOnlyDictionary<string, AccessScope> Roles, bool AgencyIsFilter = false)
{
    /// <summary>The widest scope any of <paramref name="roles"/> has on this RPC.</summary>
    public (AccessScope Scope, string? Role) Best(IEnumerable<string> roles)
    {
        var best = (Scope: AccessScope.Denied, Role: (string?)null);
        foreach (var role in roles)
        {
            if (Roles.TryGetValue(role, out var scope) && scope > best.Scope)
            {
                best = (scope, role);
            }
        }

        return best;
    }
}

/// <summary>
/// The access table (role × RPC × scope), read from the one data file
/// <c>services/Registry.ServiceDefaults/Security/access-table.json</c> (embedded in this assembly), which
/// the gateway and every service enforce (ARCHITECTURE.md "Who may call") and README.md renders.
/// Methods are gRPC full names without the leading slash: <c>registry.intake.v1.IntakeService/GetCase</c>.
/// A method the table does not name is refused to everyone (fail closed).
/// </summary>
public sealed class AccessTable
{
    private const string ResourceName = "Registry.AccessTable.json";
    private readonly FrozenDictionary<string, AccessRow> _rows;

    private AccessTable(IEnumerable<AccessRow> rows) =>
        // gRPC paths are matched without regard to case at the gateway (its routes), so the table is too.
        _rows = rows.ToFrozenDictionary(r => r.Method, StringComparer.OrdinalIgnoreCase);

    /// <summary>The table shipped with this build.</summary>
    public static AccessTable Default { get; } = Load();

    public IReadOnlyCollection<AccessRow> Rows => _rows.Values;

    /// <summary>The row of a method, by full name with or without the leading slash; null when the table has none.</summary>
    public AccessRow? Find(string method) =>
        _rows.GetValueOrDefault(method.StartsWith('/') ? method[1..] : method);

    /// <summary>Parses a table; an unknown role or scope is an error (a typo must not silently deny or allow).</summary>
    public static AccessTable Parse(string json)
    {
        var file = JsonSerializer.Deserialize<TableFile>(json, new JsonSerializerOptions { ReadCommentHandling = JsonCommentHandling.Skip })
            ?? throw new InvalidDataException("The access table is empty.");
        var rows = new List<AccessRow>();
        foreach (var (method, row) in file.Methods)
        {
            var roles = new Dictionary<string, AccessScope>(StringComparer.Ordinal);
            foreach (var (role, scope) in row.Roles)
            {
                if (!RegistryRoles.All.Contains(role))
                {
                    throw new InvalidDataException($"Access table row {method}: unknown role '{role}' (roles: {string.Join(", ", RegistryRoles.All)}).");
                }

                roles[role] = scope switch
                {
                    "any" => AccessScope.Any,
                    "own-agency" => AccessScope.OwnAgency,
                    "shared" => AccessScope.Shared,
                    _ => throw new InvalidDataException($"Access table row {method}, role {role}: unknown scope '{scope}' (any, own-agency, shared; leave a role out to deny it)."),
                };
            }

            if (row.AgencyField is not null && row.AgencyFilter is not null)
            {
                throw new InvalidDataException($"Access table row {method}: name an agencyField (a write) or an agencyFilter (a read), not both.");
            }

            rows.Add(new AccessRow(method, row.AgencyField ?? row.AgencyFilter, roles, AgencyIsFilter: row.AgencyFilter is not null));
        }

        return new AccessTable(rows);
    }

    private static AccessTable Load()
    {
        using var stream = typeof(AccessTable).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The access table resource {ResourceName} is missing from the build.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    /// <summary>Scope names as the data file spells them.</summary>
    public static string Name(AccessScope scope) => scope switch
    {
        AccessScope.Any => "any",
        AccessScope.OwnAgency => "own-agency",
        AccessScope.Shared => "shared",
        _ => "denied",
    };

    private sealed class TableFile
    {
        [JsonPropertyName("methods")]
        public Dictionary<string, RowFile> Methods { get; set; } = [];
    }

    private sealed class RowFile
    {
        [JsonPropertyName("agencyField")]
        public string? AgencyField { get; set; }

        [JsonPropertyName("agencyFilter")]
        public string? AgencyFilter { get; set; }

        [JsonPropertyName("roles")]
        public Dictionary<string, string> Roles { get; set; } = [];
    }
}
