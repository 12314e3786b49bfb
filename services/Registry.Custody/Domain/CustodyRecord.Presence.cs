using Registry.ServiceDefaults.Domain;

namespace Registry.Custody.Domain;

/// <summary>
/// Whether something that happens to the person in custody but moves nothing (an interview, GC III Art. 17; an ICRC
/// visit's private interview, Art. 126) may be recorded on this record at an instant. Not a state change: nothing is
/// appended to the timeline and the record's version does not move.
/// </summary>
public sealed partial class CustodyRecord
{
    /// <summary>
    /// Refuses, as a rule of the record, what cannot have happened to the person in custody at <paramref name="at"/>:
    /// on a merged record (CASE_MERGED, naming the survivor); at or after the end of captivity (CAPTIVITY_ENDED: one that
    /// took place before the end and is entered late is accepted); while escaped (NOT_IN_CUSTODY, from the escape on).
    /// The bounds of birth and capture are the caller's to check as a field (<see cref="Dates"/>).
    /// </summary>
    /// <param name="what">What is being recorded, for the message, e.g. "an interview".</param>
    public void EnsureInCustodyAt(DateTimeOffset at, string what)
    {
        EnsureNotMerged();
        if (IsEnd(State) && at >= StateSince)
        {
            throw new RuleViolationException("CAPTIVITY_ENDED", ResourceType, Subject,
                $"Case {CaseNumber}'s captivity ended ({State} since {StateSince:u}); {what} at {at:u} cannot have taken place in custody.");
        }

        if (State == CustodyState.Escaped && at >= StateSince)
        {
            throw new RuleViolationException("NOT_IN_CUSTODY", ResourceType, Subject,
                $"Case {CaseNumber} has been escaped since {StateSince:u}; {what} at {at:u} cannot have taken place in custody.");
        }
    }
}
