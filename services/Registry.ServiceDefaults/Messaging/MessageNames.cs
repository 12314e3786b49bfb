using System.Collections.Concurrent;
using System.Reflection;
using MassTransit;
using Registry.Contracts;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// The stable name of each bus contract, stored in the outbox: its pinned message URN
/// (<c>[MessageUrn("Registry.Contracts:CaseRegistered")]</c> → <c>urn:message:Registry.Contracts:CaseRegistered</c>),
/// the same name MassTransit puts on the wire, so a contract has one name and a renamed type keeps it.
/// Rows written before names were stored hold the CLR full name the contract had then
/// (<c>Registry.Contracts.CaseRegistered</c>); that is the pinned URN with a dot for the colon, so
/// they resolve through the URN too, whatever the type is called now.
/// </summary>
public sealed class MessageNames
{
    private const string UrnPrefix = "urn:message:";
    private static readonly ConcurrentDictionary<Type, string> Names = new();
    private readonly Dictionary<string, Type> _types = new(StringComparer.Ordinal);

    /// <summary>The contracts of Registry.Contracts.</summary>
    public static MessageNames Contracts { get; } = new(typeof(CaseRegistered).Assembly.GetExportedTypes());

    public MessageNames(IEnumerable<Type> contracts)
    {
        foreach (var type in contracts)
        {
            var name = NameOf(type);
            if (!_types.TryAdd(name, type) || !_types.TryAdd(LegacyName(name), type))
            {
                throw new InvalidOperationException($"Two contracts are named {name}: {_types[name]} and {type}.");
            }
        }
    }

    /// <summary>The stable name of <paramref name="type"/>; a contract without a pinned URN has none.</summary>
    public static string NameOf(Type type) => Names.GetOrAdd(type, t =>
        t.GetCustomAttribute<MessageUrnAttribute>(inherit: false)?.Urn.ToString()
        ?? throw new InvalidOperationException($"{t} has no [MessageUrn]: a bus contract pins its name, so that renaming the type changes neither the outbox nor the wire."));

    /// <summary>The contract an outbox row names, by its stable name or by a CLR full name written before names were stored.</summary>
    public Type Resolve(string name) =>
        _types.TryGetValue(name, out var type)
            ? type
            : throw new InvalidOperationException($"'{name}' names no message contract of Registry.Contracts.");

    private static string LegacyName(string name) =>
        name.StartsWith(UrnPrefix, StringComparison.Ordinal) ? name[UrnPrefix.Length..].Replace(':', '.') : name;
}
