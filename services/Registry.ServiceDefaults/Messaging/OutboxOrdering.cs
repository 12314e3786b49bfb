using System.Collections.Concurrent;
using System.Reflection;
using Registry.Contracts;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// Which events must keep their order on the bus: those of one case. An event's ordering key is the case
/// it is about: its <c>CaseId</c>; for <see cref="CasesMerged"/> the merged case's id (the merge is the
/// last event of that case, after all its corrections). The dispatcher publishes rows with one key in the
/// order they were written and rows of different cases in parallel. A contract with neither has no key
/// and is published in parallel with everything; <c>ContractOrderingTests</c> (Registry.Custody.Tests)
/// check that every contract of Registry.Contracts has one.
/// </summary>
public static class OutboxOrdering
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo?> Keys = new();

    /// <summary>The names of the properties that carry the case an event is about, in the order they are looked for.</summary>
    public static readonly IReadOnlyList<string> KeyProperties = ["CaseId", nameof(CasesMerged.MergedCaseId)];

    /// <summary>The ordering key of <paramref name="message"/> (a case id in the "D" form), or null if its contract names no case.</summary>
    public static string? KeyOf(object message)
    {
        var property = KeyPropertyOf(message.GetType());
        return property?.GetValue(message) is Guid id ? id.ToString("D") : null;
    }

    /// <summary>The property of <paramref name="contract"/> its ordering key is read from, if any.</summary>
    public static PropertyInfo? KeyPropertyOf(Type contract) => Keys.GetOrAdd(contract, type =>
        KeyProperties.Select(name => type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance))
            .FirstOrDefault(p => p is not null && p.PropertyType == typeof(Guid)));
}
