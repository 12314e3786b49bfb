using System.Reflection;
using Google.Protobuf.Reflection;
using Registry.ServiceDefaults.Security;
using Registry.Testing;
using Xunit;

namespace Registry.Deploy.Tests;

/// <summary>The access table is complete, consistent with the served RPCs, holds the confidentiality rules, and README.md shows it.</summary>
public sealed class AccessTableTests
{
    /// <summary>Every gRPC service the registry serves: the generated <c>Descriptor</c> of each service class in Registry.Protos.</summary>
    public static IReadOnlyList<ServiceDescriptor> ServedServices { get; } = typeof(Registry.Protos.Intake.V1.IntakeService).Assembly.GetTypes()
        .Select(t => t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static))
        .Where(p => p?.PropertyType == typeof(ServiceDescriptor))
        .Select(p => (ServiceDescriptor)p!.GetValue(null)!)
        .Where(s => s.File.Package.StartsWith("registry.", StringComparison.Ordinal))
        .ToList();

    private static IEnumerable<string> ServedMethods =>
        ServedServices.SelectMany(s => s.Methods.Select(m => $"{s.FullName}/{m.Name}"));

    [Fact]
    public void Every_served_rpc_has_a_row()
    {
        Assert.NotEmpty(ServedServices);
        var missing = ServedMethods.Where(m => AccessTable.Default.Find(m) is null).ToList();
        Assert.True(missing.Count == 0, $"RPCs without a row in access-table.json (add one: who may call it?): {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_row_names_a_served_rpc()
    {
        var served = ServedMethods.ToHashSet(StringComparer.Ordinal);
        var stale = AccessTable.Default.Rows.Select(r => r.Method).Where(m => !served.Contains(m)).ToList();
        Assert.True(stale.Count == 0, $"Rows in access-table.json for RPCs that no service serves: {string.Join(", ", stale)}");
    }

    [Fact]
    public void Agency_fields_name_string_fields_of_the_request()
    {
        foreach (var row in AccessTable.Default.Rows.Where(r => r.AgencyField is not null))
        {
            var method = ServedServices.SelectMany(s => s.Methods).Single(m => $"{m.Service.FullName}/{m.Name}" == row.Method);
            var message = (Google.Protobuf.IMessage)Activator.CreateInstance(method.InputType.ClrType)!;
            Assert.Equal("", ProtoCaseFields.Read(message, row.AgencyField!));
        }
    }

    [Fact]
    public void Clinical_detail_is_for_medics_only_and_the_audit_for_auditors_only()
    {
        foreach (var method in new[] { "registry.medical.v1.MedicalService/GetMedicalRecord", "registry.medical.v1.MedicalService/ListEncounters" })
        {
            Assert.Equal([RegistryRoles.Medic], AccessTable.Default.Find(method)!.Roles.Keys);
        }

        foreach (var row in AccessTable.Default.Rows.Where(r => r.Method.Contains("ListAccessEvents", StringComparison.Ordinal)))
        {
            Assert.Equal([RegistryRoles.Auditor], row.Roles.Keys);
        }

        // A partner reaches identity and custody of shared cases only, never medical data or lists of all cases.
        // Two rows are 'any' for it and name no case of anyone else: ListSharedCases answers only the caller's own
        // agency's shares (from its token), and ReportRefusal is open (the gateway's report of a refusal).
        string[] ownOnly = ["registry.intake.v1.IntakeService/ListSharedCases", "registry.audit.v1.AccessAuditService/ReportRefusal"];
        foreach (var row in AccessTable.Default.Rows.Where(r => r.Roles.ContainsKey(RegistryRoles.Partner) && !ownOnly.Contains(r.Method)))
        {
            Assert.Equal(AccessScope.Shared, row.Roles[RegistryRoles.Partner]);
            Assert.DoesNotContain(".medical.", row.Method, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("""{"methods":{"a.B/C":{"roles":{"medics":"any"}}}}""", "unknown role 'medics'")]
    [InlineData("""{"methods":{"a.B/C":{"roles":{"medic":"all"}}}}""", "unknown scope 'all'")]
    public void A_typo_in_the_table_is_an_error_not_a_silent_denial(string json, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => AccessTable.Parse(json));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    /// <summary>README.md shows the table as the data file says. REGISTRY_UPDATE_README=1 rewrites the block.</summary>
    [Fact]
    public void Readme_shows_the_table()
    {
        var path = Path.Combine(ServiceProcess.RepositoryRoot, "README.md");
        var readme = File.ReadAllText(path);
        var rendered = AccessTableMarkdown.Render(AccessTable.Default);
        if (Environment.GetEnvironmentVariable("REGISTRY_UPDATE_README") == "1")
        {
            File.WriteAllText(path, readme = AccessTableMarkdown.Replace(readme, rendered));
        }

        Assert.True(readme.Contains(rendered, StringComparison.Ordinal),
            "README.md's access table differs from access-table.json; run `REGISTRY_UPDATE_README=1 dotnet test tests/Registry.Deploy.Tests --filter Readme_shows_the_table` and commit README.md.");
    }
}
