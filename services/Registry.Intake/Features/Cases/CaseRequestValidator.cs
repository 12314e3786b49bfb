using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Intake.Features.Cases;

/// <summary>A validated request for one page of a case's history (assertions, status decisions, effects).</summary>
public sealed record CasePage(Guid CaseId, PageRequest Page);

/// <summary>Checks the requests that name a case, naming every bad field.</summary>
public static class CaseRequestValidator
{
    /// <summary>A request naming one case by <c>case_id</c>.</summary>
    public static Guid CaseId(string caseId)
    {
        var errors = new FieldViolations();
        var id = errors.Uuid("case_id", caseId, required: true);
        errors.ThrowIfAny();
        return id!.Value;
    }

    /// <summary>A List request over one case's <paramref name="history"/> (e.g. "status"), its token tied to the case.</summary>
    public static CasePage Page(string caseId, int pageSize, string pageToken, string history)
    {
        var errors = new FieldViolations();
        var id = errors.Uuid("case_id", caseId, required: true);
        var page = errors.Page(pageSize, pageToken, $"{history}/{caseId}");
        errors.ThrowIfAny();
        return new CasePage(id!.Value, page);
    }

    /// <summary>The revision of the case the caller read, required on every change (optimistic concurrency).</summary>
    public static long Revision(this FieldViolations errors, long revision)
    {
        if (revision < 1)
        {
            errors.Add("revision", "is required: the case revision you read");
        }

        return revision;
    }
}
