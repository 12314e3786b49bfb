using System.Reflection;
using MassTransit;
using Registry.Contracts;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Deploy.Tests;

/// <summary>
/// Every bus contract has one pinned name, stored in the outbox and used on the wire, so that renaming
/// its type strands neither outbox rows already written nor messages already on the broker.
/// </summary>
public sealed class ContractNameTests
{
    [Fact]
    public void Every_contract_pins_one_name_of_its_own_for_the_outbox_and_the_wire()
    {
        var contracts = typeof(CaseRegistered).Assembly.GetExportedTypes();
        Assert.Equal(20, contracts.Length);
        var names = contracts.Select(MessageNames.NameOf).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        foreach (var contract in contracts)
        {
            var urn = MessageNames.NameOf(contract);
            // The name each contract had on the wire and in the outbox when names were pinned: changing it
            // strands outbox rows and messages already on the broker.
            Assert.StartsWith("urn:message:Registry.Contracts:", urn);
            // MassTransit names the exchange after the type unless told otherwise: pinned to the same name.
            Assert.Equal(urn["urn:message:".Length..], contract.GetCustomAttribute<EntityNameAttribute>()?.EntityName);
            Assert.Equal(contract, MessageNames.Contracts.Resolve(urn));
        }
    }

    [Fact]
    public void An_outbox_row_resolves_by_its_stable_name_or_its_old_clr_name_after_the_contract_was_renamed()
    {
        var names = new MessageNames([typeof(RenamedContract)]);

        Assert.Equal(typeof(RenamedContract), names.Resolve("urn:message:Registry.Contracts:FormerName"));
        // Written before names were stored: the CLR full name the type had then.
        Assert.Equal(typeof(RenamedContract), names.Resolve("Registry.Contracts.FormerName"));
        Assert.Throws<InvalidOperationException>(() => names.Resolve(typeof(RenamedContract).FullName!));
    }

    [Fact]
    public void Rows_written_before_stable_names_resolve_for_every_contract()
    {
        foreach (var contract in typeof(CaseRegistered).Assembly.GetExportedTypes())
        {
            Assert.Equal(contract, MessageNames.Contracts.Resolve(contract.FullName!));
        }
    }

    /// <summary>A contract once called Registry.Contracts.FormerName.</summary>
    [MessageUrn("Registry.Contracts:FormerName")]
    private sealed record RenamedContract;
}
