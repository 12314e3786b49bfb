using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;

namespace Registry.ServiceDefaults.Security.Audit;

/// <summary>
/// The filters of <c>ListAccessEvents</c> (registry.audit.v1 on each service, registry.gateway.v1 on the gateway), validated
/// the same way on both: <c>case_id</c> a UUID, <c>agency</c> a code, the half-open range [<c>from</c>, <c>to</c>).
/// </summary>
public sealed record AccessEventQuery(Guid? CaseId, string? Agency, DateTimeOffset? From, DateTimeOffset? To)
{
    /// <summary>The canonical text a page token is tied to (a token of another filter is refused).</summary>
    public string Canonical =>
        string.Create(CultureInfo.InvariantCulture, $"access-events|case={CaseId}|agency={Agency}|from={From?.UtcTicks}|to={To?.UtcTicks}");

    /// <summary>
    /// Reads the filters and the page of a request; INVALID_ARGUMENT naming every bad field (<c>case_id</c> not a UUID,
    /// <c>agency</c> too long or not text, a timestamp out of range, <c>to</c> not after <c>from</c>, <c>page_size</c>
    /// outside 1..500, a <c>page_token</c> of another query). <paramref name="tokenScope"/> separates the gateway's tokens
    /// from a service's (the same filter gives different tokens).
    /// </summary>
    public static (AccessEventQuery Query, PageRequest Page) Validate(
        string caseId, string agency, Timestamp? from, Timestamp? to, int pageSize, string pageToken, string tokenScope = "")
    {
        var errors = new FieldViolations();
        var query = new AccessEventQuery(
            errors.Uuid("case_id", caseId, required: false),
            errors.Text("agency", agency, 100, required: false),
            errors.Instant("from", from),
            errors.Instant("to", to));
        if (query is { From: { } f, To: { } t } && t <= f)
        {
            errors.Add("to", "must be after from (the range is [from, to))");
        }

        var page = errors.Page(pageSize, pageToken, tokenScope + query.Canonical);
        errors.ThrowIfAny();
        return (query, page);
    }

    private const string ListMethod = "registry.audit.v1.AccessAuditService/ListAccessEvents";
    private const string GatewayListMethod = "registry.gateway.v1.AuditService/ListAccessEvents";

    /// <summary>The rows of <paramref name="store"/> matching every filter (unordered; page with <see cref="PageAsync"/>).</summary>
    public IQueryable<AccessEventRow> Apply(IAccessAuditStore store)
    {
        IQueryable<AccessEventRow> rows = store.AccessEvents.AsNoTracking();
        if (CaseId is { } caseId)
        {
            // PostgreSQL: ARRAY[case] <@ case_ids, which the GIN index answers.
            Guid[] wanted = [caseId];
            rows = rows.Where(r => wanted.All(w => r.CaseIds.Contains(w)));
            // Reads of the audit itself are left out of a case's listing (they are listed by agency and time):
            // each page asked by case is itself audited naming the case, and a listing that included them
            // would chase its own tail and never end.
            rows = rows.Where(r => r.Method != ListMethod && r.Method != GatewayListMethod);
        }

        if (Agency is { } agency)
        {
            rows = rows.Where(r => r.Agency == agency);
        }

        if (From is { } from)
        {
            rows = rows.Where(r => r.OccurredAt >= from);
        }

        if (To is { } to)
        {
            rows = rows.Where(r => r.OccurredAt < to);
        }

        return rows;
    }

    /// <summary>One page in (occurred_at, id) order, with the shared keyset paging.</summary>
    public Task<Page<AccessEventRow>> PageAsync(IAccessAuditStore store, PageRequest page, CancellationToken ct) =>
        Apply(store).ToKeysetPageAsync(page, r => r.OccurredAt, r => r.Id, ct);

    /// <summary>
    /// The service's page token for "after the event at (<paramref name="occurredAt"/>, <paramref name="id"/>)" under
    /// this filter: what the gateway sends to continue one service where its merged page left it. The position is
    /// <see cref="KeysetPaging"/>'s (instant, long) position.
    /// </summary>
    public string ServiceTokenAfter(DateTimeOffset occurredAt, long id) =>
        PageTokens.Create(string.Create(CultureInfo.InvariantCulture, $"{occurredAt.UtcTicks}:{id}"), Canonical);
}
