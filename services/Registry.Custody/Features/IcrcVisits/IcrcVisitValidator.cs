using Registry.Custody.Features.Interviews;
using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Security;
using CustodyRecord = Registry.Custody.Domain.CustodyRecord;
using Facility = Registry.Custody.Domain.Facility;
using IcrcVisit = Registry.Custody.Domain.IcrcVisit;

namespace Registry.Custody.Features.IcrcVisits;

/// <summary>A validated ICRC visit: the typed command <see cref="RecordIcrcVisitHandler"/> takes.</summary>
public sealed record IcrcVisitCommand(
    IdempotencyKey Key, string VisitingAgency, DateTimeOffset VisitedAt, Facility Facility, IReadOnlyList<string> Delegates, IReadOnlyList<Guid> CaseIds);

/// <summary>Checks an ICRC visit request, naming every bad field at once (google.rpc.BadRequest).</summary>
public static class IcrcVisitValidator
{
    /// <summary>
    /// At most this many persons interviewed in private per visit (more are recorded in several calls); within what the
    /// access audit names of one call (<see cref="ProtoCaseFields.MaxCaseIds"/>), as a visit must be audited in full.
    /// </summary>
    public const int MaxCaseIds = 200;

    public static IcrcVisitCommand Validate(RecordIcrcVisitRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var requestId = errors.RequestId("request_id", request.RequestId);
        var agency = errors.Text("visiting_agency", request.VisitingAgency, CustodyRecord.AgencyMaxLength, required: true);
        var visitedAt = errors.PastTimestamp("visited_at", request.VisitedAt, now, required: true);
        var facility = Records.FacilityInput.Read(errors, "facility", request.Facility, "at least its name", requireCountry: true);

        var delegates = new List<string>();
        if (request.Delegates.Count is < IcrcVisit.MinDelegates or > IcrcVisit.MaxDelegates)
        {
            errors.Add("delegates", $"must name {IcrcVisit.MinDelegates} to {IcrcVisit.MaxDelegates} delegates");
        }

        for (var n = 0; n < Math.Min(request.Delegates.Count, IcrcVisit.MaxDelegates); n++)
        {
            if (errors.Text($"delegates[{n}]", request.Delegates[n], IcrcVisit.DelegateMaxLength, required: true) is { } name)
            {
                delegates.Add(name);
            }
        }

        var caseIds = new List<Guid>();
        var firstAt = new Dictionary<Guid, int>();
        if (request.CaseIds.Count is < 1 or > MaxCaseIds)
        {
            errors.Add("case_ids", $"must list 1 to {MaxCaseIds} persons interviewed in private (a visit is recorded by the cases it concerns)");
        }

        for (var n = 0; n < Math.Min(request.CaseIds.Count, MaxCaseIds); n++)
        {
            if (errors.Uuid($"case_ids[{n}]", request.CaseIds[n], required: true) is not { } id)
            {
                continue;
            }

            if (!firstAt.TryAdd(id, n))
            {
                errors.Add($"case_ids[{n}]", $"repeats case_ids[{firstAt[id]}]: list each person once");
                continue;
            }

            caseIds.Add(id);
        }

        errors.ThrowIfAny();
        return new IcrcVisitCommand(IdempotencyKey.Of(requestId!.Value, request), agency!, visitedAt!.Value, facility!, delegates, caseIds);
    }
}
