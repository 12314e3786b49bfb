using System.Text.Json;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Domain;

namespace Registry.ServiceDefaults.Messaging;

/// <summary>
/// A message that can never be applied: what it says breaks a rule of the domain or what the store can hold,
/// so applying it again gives the same answer. The retry policy (<see cref="ConsumerRetry"/>) does not retry
/// it: MassTransit moves it to <c>&lt;queue&gt;_error</c> at the first attempt, its <c>MT-Fault-Message</c>
/// header naming the reason, and the queue flows on. A message refused this way is corrected at its source;
/// <c>registryctl move-errors</c> applies it only if the cause was on this side (e.g. a column widened).
/// </summary>
/// <remarks>
/// It carries no inner exception on purpose: MassTransit writes the innermost exception into the fault
/// headers, which should name this refusal and its reason; the cause's stack trace is in the service's log.
/// </remarks>
public sealed class MessageRefusedException(string reason)
    : Exception($"The message can never be applied: {reason}")
{
    /// <summary>Why, in words, e.g. <c>rule CASE_MERGED: …</c> or <c>PostgreSQL 22001: value too long …</c>.</summary>
    public string Reason { get; } = reason;

    /// <summary>
    /// Why <paramref name="error"/> will recur on every attempt, or null when it may pass on a retry (a
    /// connection lost, a deadlock, a lost race for a unique key, a timeout). Refused: a domain rule's
    /// <see cref="RuleViolationException"/>; a body that is not the contract's JSON; arithmetic on its values
    /// that overflows (<see cref="ArgumentOutOfRangeException"/>, <see cref="OverflowException"/>); a value the store
    /// refused (<see cref="RefusedValue"/>: PostgreSQL's SQLSTATE class 22, 23502, 23514; SQLite's NOT NULL and CHECK).
    /// </summary>
    public static string? Permanent(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case MessageRefusedException refused:
                    return refused.Reason;
                case RuleViolationException rule:
                    return $"rule {rule.Reason} on {rule.Subject}: {rule.Message}";
                case JsonException json:
                    return $"the body is not the contract's JSON: {json.Message}";
                case ArgumentOutOfRangeException or OverflowException:
                    // Arithmetic on what the message says (e.g. a clock's due time past year 9999) fails the same way every time.
                    return $"a value of the message is out of range: {e.Message}";
            }

            if (RefusedValue.From(e) is { } value)
            {
                // What the store cannot hold.
                return value.Description;
            }
        }

        return null;
    }
}
