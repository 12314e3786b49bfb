using System.Globalization;
using Grpc.Core;
using Grpc.Net.ClientFactory;
using Registry.Protos.Gateway.V1;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Security.Audit;
using AuditClient = Registry.Protos.Audit.V1.AccessAuditService.AccessAuditServiceClient;
using AuditEvent = Registry.Protos.Audit.V1.AccessEvent;
using ServiceRequest = Registry.Protos.Audit.V1.ListAccessEventsRequest;

namespace Registry.Gateway.Grpc;

/// <summary>
/// The auditor's one question across the registry: each service's access events (registry.audit.v1, on the service's
/// own port), asked in parallel and merged — a k-way merge of three streams ordered by (occurred_at, id) into one
/// ordered by (occurred_at, service, id). The page token carries each service's own position (the last of its events
/// served), so the next page asks each service from there. All or nothing: a service that fails or is late fails the
/// call with UNAVAILABLE naming it (an auditor must not get a silently partial audit).
/// </summary>
public sealed class AuditGrpcService(GrpcClientFactory clients, BackendOptions backends, TimeProvider clock)
    : AuditService.AuditServiceBase
{
    /// <summary>The services that keep an access audit, by the name of their named client and of their events' <c>service</c>.</summary>
    public static readonly IReadOnlyList<string> AuditedServices = ["intake", "custody", "medical"];

    /// <summary>Scope of the gateway's page tokens: a service's token is not the gateway's, for the same filter.</summary>
    private const string TokenScope = "gateway|";

    public override async Task<ListAccessEventsResponse> ListAccessEvents(ListAccessEventsRequest request, ServerCallContext context)
    {
        var (query, page) = AccessEventQuery.Validate(
            request.CaseId, request.Agency, request.From, request.To, request.PageSize, request.PageToken, TokenScope);
        var cursors = ReadCursors(page.Position);
        var deadline = clock.GetUtcNow().UtcDateTime + backends.ForwardedCallTimeout;

        var asked = AuditedServices.Select(service => AskAsync(service, query, page.Size, cursors.GetValueOrDefault(service), deadline, context.CancellationToken)).ToList();
        var answers = await Task.WhenAll(asked);

        var merged = answers.SelectMany(a => a)
            .OrderBy(e => e.OccurredAt.ToDateTimeOffset())
            .ThenBy(e => e.Service, StringComparer.Ordinal)
            .ThenBy(e => e.Id)
            .Take(page.Size)
            .ToList();
        foreach (var served in merged)
        {
            cursors[served.Service] = (served.OccurredAt.ToDateTimeOffset(), served.Id);
        }

        var response = new ListAccessEventsResponse { NextPageToken = page.NextToken(merged, _ => WriteCursors(cursors)) };
        response.Events.AddRange(merged);
        return response;
    }

    private async Task<IReadOnlyList<AuditEvent>> AskAsync(
        string service, AccessEventQuery query, int size, (DateTimeOffset At, long Id)? after, DateTime deadline, CancellationToken ct)
    {
        var request = new ServiceRequest
        {
            CaseId = query.CaseId?.ToString() ?? "",
            Agency = query.Agency ?? "",
            From = query.From is { } from ? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(from) : null,
            To = query.To is { } to ? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(to) : null,
            PageSize = size,
            PageToken = after is { } a ? query.ServiceTokenAfter(a.At, a.Id) : "",
        };
        try
        {
            var response = await clients.CreateClient<AuditClient>(service).ListAccessEventsAsync(request, deadline: deadline, cancellationToken: ct);
            foreach (var e in response.Events)
            {
                // The merge orders by the service name the gateway asked, whatever a service calls itself.
                e.Service = service;
            }

            return response.Events;
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            throw new RpcException(new Status(StatusCode.Unavailable,
                $"The access audit of {service} did not answer ({AccessAuditNames.StatusCodeName(ex.StatusCode)}: {ex.Status.Detail}); " +
                "no partial audit is given. Try again."));
        }
    }

    /// <summary>The gateway's position: per service, the last (occurred_at ticks, id) served, e.g. <c>intake=638…:12;medical=638…:3</c>.</summary>
    private static Dictionary<string, (DateTimeOffset At, long Id)?> ReadCursors(string position)
    {
        var cursors = new Dictionary<string, (DateTimeOffset At, long Id)?>(StringComparer.Ordinal);
        if (position.Length == 0)
        {
            return cursors;
        }

        foreach (var part in position.Split(';'))
        {
            var (name, rest) = part.Split('=', 2) is [var n, var r] ? (n, r) : throw BadToken();
            var (ticks, id) = rest.Split(':') is [var t, var i]
                && long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var tv)
                && tv <= DateTimeOffset.MaxValue.UtcTicks
                && long.TryParse(i, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var iv)
                ? (tv, iv)
                : throw BadToken();
            if (!AuditedServices.Contains(name))
            {
                throw BadToken();
            }

            cursors[name] = (new DateTimeOffset(ticks, TimeSpan.Zero), id);
        }

        return cursors;
    }

    private static string WriteCursors(Dictionary<string, (DateTimeOffset At, long Id)?> cursors) =>
        string.Join(';', cursors.Where(c => c.Value is not null).OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key}={c.Value!.Value.At.UtcTicks}:{c.Value!.Value.Id}")));

    private static RpcException BadToken() =>
        RpcErrors.InvalidArgument([new Google.Rpc.BadRequest.Types.FieldViolation { Field = "page_token", Description = "is not a page token of this query; start again without one" }]);
}
