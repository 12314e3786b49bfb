using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using Registry.Medical.Data;
using Registry.Medical.Domain;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Medical.Features.Inspections;

/// <summary>A validated ListOverdueInspections request: what was late at <see cref="AsOf"/>, after <see cref="After"/>.</summary>
public sealed record OverdueInspectionsQuery(DateTimeOffset AsOf, PageRequest Page, OverdueInspectionPosition After);

/// <summary>Where a page of overdue inspections ends: (due time, case id), the list's order.</summary>
public readonly record struct OverdueInspectionPosition(DateTimeOffset DueBy, Guid CaseId)
{
    public override string ToString() => $"{DueBy.UtcTicks}.{CaseId:N}";

    /// <summary>The position in a token, the start for "", or null when malformed.</summary>
    public static OverdueInspectionPosition? Parse(string text)
    {
        if (text.Length == 0)
        {
            return new OverdueInspectionPosition(DateTimeOffset.MinValue, Guid.Empty);
        }

        var parts = text.Split('.');
        return parts.Length == 2 && long.TryParse(parts[0], out var ticks) && ticks is >= 0 and <= 3155378975999999999
            && Guid.TryParseExact(parts[1], "N", out var caseId)
            ? new OverdueInspectionPosition(new DateTimeOffset(ticks, TimeSpan.Zero), caseId)
            : null;
    }
}

public static class ListOverdueInspectionsValidator
{
    /// <exception cref="Grpc.Core.RpcException">INVALID_ARGUMENT naming as_of, page_size or page_token.</exception>
    public static OverdueInspectionsQuery Validate(ListOverdueInspectionsRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var asOf = errors.Instant("as_of", request.AsOf)?.ToMicroseconds() ?? now;
        var page = errors.Page(request.PageSize, request.PageToken, $"overdue-inspections/{asOf.UtcTicks}");
        var position = OverdueInspectionPosition.Parse(page.Position);
        if (position is null)
        {
            errors.Add("page_token", "is not a page token of this query; start again without one");
        }

        errors.ThrowIfAny();
        return new OverdueInspectionsQuery(asOf, page, position!.Value);
    }
}

/// <summary>
/// The monthly inspections (GC III Art. 31) past due at a moment, oldest due first, from the records that owe one
/// (<see cref="MedicalRecord.OwesInspections"/>) through the partial index <c>ix_medical_records_inspections_owed</c>:
/// the list behind the <c>registry.gc3.overdue{duty="inspection"}</c> gauge (<see cref="OverdueInspectionsProbe"/>).
/// </summary>
public sealed class ListOverdueInspectionsHandler(MedicalDbContext db)
{
    public async Task<ListOverdueInspectionsResponse> HandleAsync(OverdueInspectionsQuery query, CancellationToken ct)
    {
        var (asOf, after) = (query.AsOf, query.After);
        var late = await db.Records.AsNoTracking()
            .Where(r => r.MergedIntoCaseId == null && r.DiedAt == null && r.CaptivityEndedAt == null && r.EscapedAt == null
                && r.ExaminationDueBy < asOf)
            .Where(r => r.ExaminationDueBy > after.DueBy || (r.ExaminationDueBy == after.DueBy && r.CaseId.CompareTo(after.CaseId) > 0))
            .OrderBy(r => r.ExaminationDueBy).ThenBy(r => r.CaseId)
            .Take(query.Page.Size + 1)
            .Select(r => new { r.CaseId, r.CaseNumber, r.ExaminationDueBy, r.LastExaminedAt })
            .ToListAsync(ct);
        (late, var more) = query.Page.Trim(late);

        var response = new ListOverdueInspectionsResponse
        {
            AsOf = Timestamp.FromDateTimeOffset(asOf),
            NextPageToken = query.Page.NextToken(late, more, r => new OverdueInspectionPosition(r.ExaminationDueBy, r.CaseId).ToString()),
        };
        response.Items.AddRange(late.Select(r => new OverdueInspection
        {
            CaseId = r.CaseId.ToString(),
            CaseNumber = r.CaseNumber,
            DueAt = Timestamp.FromDateTimeOffset(r.ExaminationDueBy),
            OverdueBy = Duration.FromTimeSpan(asOf - r.ExaminationDueBy),
            LastExaminedAt = r.LastExaminedAt is { } last ? Timestamp.FromDateTimeOffset(last) : null,
        }));
        return response;
    }
}
