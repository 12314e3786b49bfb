using System.Collections.Concurrent;
using Registry.Contracts;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>Maps the type name stored in an outbox row back to a contract type.</summary>
internal static class MessageTypes
{
    private static readonly ConcurrentDictionary<string, Type> Cache = new();

    public static Type Resolve(string fullName) =>
        Cache.GetOrAdd(fullName, name => typeof(CaseRegistered).Assembly.GetType(name)
            ?? throw new InvalidOperationException($"'{name}' is not a message type of Registry.Contracts."));
}
