using System.Diagnostics;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Security.Audit;

namespace Registry.ServiceDefaults.Security;

/// <summary>
/// Passes a refusal decided where no audit store is (the gateway's own methods, or a call the gateway
/// refused before forwarding it) to the service that owns the data, which records it.
/// </summary>
public interface IAccessRefusalReporter
{
    /// <param name="caseIds">The cases the refused request named, when known.</param>
    Task ReportAsync(HttpContext http, string method, StatusCode status, string reason, IReadOnlyList<Guid> caseIds, CancellationToken cancellationToken);
}

/// <summary>
/// The one access check of every gRPC call a service (or the gateway) serves, in the shared handler path:
/// <list type="number">
/// <item>the caller and the access table's verdict for its roles (<see cref="AccessPolicy"/>):
/// UNAUTHENTICATED or PERMISSION_DENIED before the handler runs, nothing stored;</item>
/// <item>the scope: a row scoped to the caller's own agency compares the write's agency field with the
/// token's agency (PERMISSION_DENIED naming the field), or, with no such field, checks that every case
/// the request names is a record of the caller's agency; a row scoped to shared cases checks each case is
/// shared with it (<see cref="ICaseOwnership"/>);</item>
/// <item>the access audit: every call, allowed or refused, is recorded by the owning service's
/// <see cref="IAccessAuditSink"/> with the cases named by the request and the response, the status it
/// ended with and the trace id. An allowed answer is not returned until its audit row is durable; if the
/// audit cannot be written the call fails UNAVAILABLE. An answer, error or refusal whose caller has gone first (its
/// deadline, the service's bound, a cancel, the service stopping) is recorded as what the caller saw, DEADLINE_EXCEEDED,
/// CANCELLED or UNAVAILABLE, not the handler's outcome (<see cref="IAccessAuditSink.RecordAnswerAsync"/>).</item>
/// </list>
/// Health and reflection are open (<see cref="AccessPolicy.IsOpen"/>).
/// </summary>
public sealed class AccessControlInterceptor(AccessPolicy policy, TimeProvider clock, ILogger<AccessControlInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (AccessPolicy.IsOpen(context.Method))
        {
            return await continuation(request, context);
        }

        var call = await AdmitAsync(request, context);
        TResponse response;
        try
        {
            response = await continuation(request, context);
        }
        catch (Exception ex)
        {
            // What the call stored before it failed, when its handler says so (an import's committed parts).
            ProtoCaseFields.AddFromFailure(ex, call.CaseIds);
            await RecordAsync(call, ExceptionMappingInterceptor.StatusOf(ex), (ex as RpcException)?.Status.Detail ?? ex.GetType().Name, context, thrown: true, answerWaits: true);
            throw;
        }

        ProtoCaseFields.AddFromResponse(response, call.CaseIds);
        await RecordAsync(call, StatusCode.OK, "", context, thrown: false, answerWaits: true);
        return response;
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (AccessPolicy.IsOpen(context.Method))
        {
            await continuation(request, responseStream, context);
            return;
        }

        var call = await AdmitAsync(request, context);
        try
        {
            // A long-lived stream delivers only while the caller's token is unexpired and its client enabled, and ends
            // when either lapses, even with nothing to send. A token's life is wall-clock time, as its validation reads
            // it, not the registry's clock (which tests move).
            var access = StreamAccess.For(context.GetHttpContext(), call.Decision.Caller!, TimeProvider.System);
            await access.RunAsync(context, bound => continuation(request, new AuthorizedStreamWriter<TResponse>(responseStream, access), bound));
        }
        catch (Exception ex)
        {
            await RecordAsync(call, ExceptionMappingInterceptor.StatusOf(ex), (ex as RpcException)?.Status.Detail ?? ex.GetType().Name, context, thrown: true);
            throw;
        }

        await RecordAsync(call, StatusCode.OK, "", context, thrown: false);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (AccessPolicy.IsOpen(context.Method))
        {
            return await continuation(requestStream, context);
        }

        // Each message of a stream is the handler's to check against the scope; here the role decides.
        var call = await AdmitAsync<object?>(null, context);
        TResponse response;
        try
        {
            response = await continuation(requestStream, context);
        }
        catch (Exception ex)
        {
            await RecordAsync(call, ExceptionMappingInterceptor.StatusOf(ex), (ex as RpcException)?.Status.Detail ?? ex.GetType().Name, context, thrown: true, answerWaits: true);
            throw;
        }

        await RecordAsync(call, StatusCode.OK, "", context, thrown: false, answerWaits: true);
        return response;
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (AccessPolicy.IsOpen(context.Method))
        {
            await continuation(requestStream, responseStream, context);
            return;
        }

        var call = await AdmitAsync<object?>(null, context);
        try
        {
            var access = StreamAccess.For(context.GetHttpContext(), call.Decision.Caller!, TimeProvider.System);
            await access.RunAsync(context, bound => continuation(requestStream, new AuthorizedStreamWriter<TResponse>(responseStream, access), bound));
        }
        catch (Exception ex)
        {
            await RecordAsync(call, ExceptionMappingInterceptor.StatusOf(ex), (ex as RpcException)?.Status.Detail ?? ex.GetType().Name, context, thrown: true);
            throw;
        }

        await RecordAsync(call, StatusCode.OK, "", context, thrown: false);
    }

    private sealed record Call(string Method, AccessDecision Decision, List<Guid> CaseIds);

    /// <summary>Decides; a refusal is recorded and thrown here, so the handler never runs.</summary>
    private async Task<Call> AdmitAsync<TRequest>(TRequest request, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var method = context.Method.TrimStart('/');
        var decision = await policy.DecideAsync(http, method);
        var call = new Call(method, decision, ProtoCaseFields.FromRequest(request));
        var refusal = decision.Allowed ? await CheckScopeAsync(call, request, http, context.CancellationToken) : Refusal(decision);
        if (refusal is not null)
        {
            AccessMetrics.Denied(method, refusal.StatusCode, decision.Caller);
            await RecordAsync(call, refusal.StatusCode, refusal.Status.Detail, context, thrown: true, decidedHere: true, answerWaits: true);
            throw refusal;
        }

        AccessContext.SetCaller(http, decision.Caller!);
        return call;
    }

    private static RpcException Refusal(AccessDecision decision) => AccessRefusals.Status(decision).ToRpcException();

    private static RpcException PermissionDenied(string message, string reason, string subject, string? field = null) =>
        AccessRefusals.PermissionDenied(message, reason, subject, field).ToRpcException();

    private async Task<RpcException?> CheckScopeAsync<TRequest>(Call call, TRequest request, HttpContext http, CancellationToken cancellationToken)
    {
        var (decision, caller, row) = (call.Decision, call.Decision.Caller!, call.Decision.Row!);
        if (decision.Scope == AccessScope.Any || call.Method.StartsWith("registry.gateway.", StringComparison.Ordinal)
            || ForwardedToOwningService.Marks(http))
        {
            // The gateway's own reads are assembled from the services' answers, and its HTTP/JSON calls are passed
            // on to them: each service checks the scope on its own data with the caller's token.
            return null;
        }

        if (decision.Scope == AccessScope.OwnAgency && row.AgencyField is { } field && request is IMessage message)
        {
            // A field inside a repeated one (rows[].capture.capturing_agency: a batch) is read in every element;
            // the first that names another agency refuses the whole call, naming that element (rows[3]...).
            foreach (var (at, value) in ProtoCaseFields.ReadAll(message, field))
            {
                if (string.IsNullOrWhiteSpace(value) && row.AgencyIsFilter)
                {
                    return PermissionDenied(
                        $"Role {decision.Role} searches only its own agency's records: set {at} to '{caller.Agency}'.",
                        "AGENCY_MISMATCH", call.Method, at);
                }

                // A blank write field is bad input, not a foreign agency: the handler's validation answers INVALID_ARGUMENT.
                if (!string.IsNullOrWhiteSpace(value) && !string.Equals(value, caller.Agency, StringComparison.Ordinal))
                {
                    return PermissionDenied(
                        $"{at} is '{value}', but the caller acts for agency '{caller.Agency}': role {decision.Role} writes only in its own agency's name.",
                        "AGENCY_MISMATCH", call.Method, at);
                }
            }

            return null;
        }

        if (call.CaseIds.Count == 0 && request is IMessage named && ProtoCaseFields.HasUnreadableCaseField(named))
        {
            // A case id that is not a UUID (or none): bad input, which the handler's validation answers INVALID_ARGUMENT
            // naming the field, before it reads or writes anything; no case is reached either way.
            return null;
        }

        if (call.CaseIds.Count == 0)
        {
            // The row limits the role to some cases but the request names none: fail closed.
            return PermissionDenied(
                $"Role {decision.Role} may call {call.Method} only on {(decision.Scope == AccessScope.Shared ? "cases shared with its agency" : "its own agency's records")}, and the request names no case.",
                "SCOPE_NOT_CHECKABLE", call.Method);
        }

        var owners = http.RequestServices.GetServices<ICaseOwnership>().FirstOrDefault(o => call.Method.StartsWith(o.Package + ".", StringComparison.Ordinal));
        if (owners is null)
        {
            logger.LogError("No case ownership for {Method}: the role {Role} with scope {Scope} is refused", call.Method, decision.Role, decision.Scope);
            return PermissionDenied($"{call.Method} cannot check whose record a case is here.", "SCOPE_NOT_CHECKABLE", call.Method);
        }

        foreach (var caseId in call.CaseIds)
        {
            var ownership = await owners.FindAsync(caseId, cancellationToken);
            if (ownership is null)
            {
                continue; // unknown case: the handler answers NOT_FOUND
            }

            if (decision.Scope == AccessScope.OwnAgency && ownership.Agencies.Count == 0)
            {
                // A copy that does not know whose record it is (e.g. a medical record opened before medical kept the
                // capturing agency): fail closed, and say so rather than name the caller's agency as not the owner.
                return PermissionDenied($"This service does not know which agency case {caseId} belongs to (a record kept from before it was recorded); role {decision.Role} reaches only its own agency's records.", "NOT_OWN_AGENCY", $"cases/{caseId}");
            }

            if (decision.Scope == AccessScope.OwnAgency && !ownership.Agencies.Contains(caller.Agency))
            {
                return PermissionDenied($"Case {caseId} is not a record of agency '{caller.Agency}'; role {decision.Role} reaches only its own agency's records.", "NOT_OWN_AGENCY", $"cases/{caseId}");
            }

            if (decision.Scope == AccessScope.Shared && !ownership.SharedWith.Contains(caller.Agency))
            {
                return PermissionDenied($"Case {caseId} is not shared with agency '{caller.Agency}'.", "NOT_SHARED", $"cases/{caseId}");
            }
        }

        return null;
    }

    /// <param name="decidedHere">A refusal of the access check itself; otherwise the handler's outcome.</param>
    /// <param name="answerWaits">An outcome whose answer leaves after this (a unary or client-stream call's answer or error, a
    /// refusal before any message): recorded as what the caller saw if it has gone first. A server stream's messages have left
    /// already.</param>
    private async Task RecordAsync(Call call, StatusCode status, string reason, ServerCallContext context, bool thrown, bool decidedHere = false, bool answerWaits = false)
    {
        var http = context.GetHttpContext();
        var forwarded = ForwardedToOwningService.Marks(http);
        if (!decidedHere && forwarded)
        {
            // The owning service answered (or refused) the forwarded call and audited it itself.
            return;
        }

        var caller = call.Decision.Caller;
        var accessEvent = new AccessEvent
        {
            OccurredAt = clock.GetUtcNow(),
            Service = "",
            Method = call.Method,
            CaseIds = call.CaseIds,
            ClientId = caller?.ClientId ?? "",
            Agency = caller?.Agency ?? "",
            Roles = caller?.RolesText ?? "",
            Outcome = Code(status),
            Reason = reason,
            Withheld = AccessContext.Withheld(http),
            TraceId = Activity.Current?.TraceId.ToString() ?? "",
            // A refusal of the gateway's HTTP/JSON face, written straight to the owning module's store where they share a
            // process (the embedded host), says so as a reported one does.
            DecidedBy = forwarded ? AccessAuditNames.DecidedByGateway : "",
        };

        // The gateway's own methods keep no store, in every mode: the services audit the parts they answer,
        // and a refusal decided here is reported to the owning service.
        var sink = call.Method.StartsWith(AccessAuditNames.GatewayPackage + ".", StringComparison.Ordinal)
            ? null
            : http.RequestServices.GetService<AccessAuditSinks>()?.For(context);
        StatusCode? seen = null;
        try
        {
            if (sink is not null && thrown && context.CancellationToken.IsCancellationRequested)
            {
                // The handler ended with its caller gone (it ran into the call's deadline, or stopped because its caller left):
                // its own outcome, queued; no one waits for this row, and the call's slot is not held until it is written.
                // The writer logs a failure.
                // A handler stopped by the call's token (CANCELLED, OperationCanceledException) ended as its caller saw it: at
                // the deadline, DEADLINE_EXCEEDED; at shutdown, UNAVAILABLE.
                var ended = status == StatusCode.Cancelled ? Seen(context) : status;
                var recorded = ended == status ? accessEvent : accessEvent with
                {
                    Outcome = Code(ended),
                    Reason = (ended == StatusCode.DeadlineExceeded
                        ? "The call's deadline (the caller's, or the service's bound) passed while it ran"
                        : "The service began to shut down while the call ran") + $" ({reason}).",
                };
                _ = sink.RecordAsync(recorded with { Service = sink.Service }, CancellationToken.None)
                    .ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
            else if (sink is not null && answerWaits)
            {
                // The answer (or error) leaves once its row is durable, and only while its caller still waits for it: a caller
                // that has gone (its deadline, the service's bound, it cancelled, the service stopping) is recorded with what it saw.
                var answered = accessEvent with { Service = sink.Service };
                await sink.RecordAnswerAsync(answered, () =>
                {
                    seen = Seen(context);
                    return answered with { OccurredAt = clock.GetUtcNow(), Outcome = Code(seen.Value), Reason = CallerGoneReason(seen.Value, status, reason) };
                }, context.CancellationToken);
            }
            else if (sink is not null)
            {
                await sink.RecordAsync(accessEvent with { Service = sink.Service }, CancellationToken.None);
            }
            // Only a refusal decided here: a handler's PERMISSION_DENIED passed on from a service (the case file's identity
            // part not shared with the caller) was audited by that service, and its ReportRefusal would rightly refuse it.
            else if (decidedHere && status is StatusCode.Unauthenticated or StatusCode.PermissionDenied
                && http.RequestServices.GetService<IAccessRefusalReporter>() is { } reporter)
            {
                await reporter.ReportAsync(http, call.Method, status, reason, call.CaseIds, context.CancellationToken);
            }
        }
        catch (OperationCanceledException) when (answerWaits && context.CancellationToken.IsCancellationRequested)
        {
            var saw = seen ?? Seen(context);
            throw new RpcException(new global::Grpc.Core.Status(saw, CallerGoneReason(saw, status, reason)));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "The access audit of {Method} ({Outcome}) could not be written", call.Method, accessEvent.Outcome);
            if (!thrown)
            {
                // An access that is not audited is not answered.
                throw RpcErrors.Unavailable("The access could not be recorded in the audit; call again.");
            }
        }
    }

    /// <summary>
    /// What a caller that left before its answer saw: DEADLINE_EXCEEDED when the call had a deadline (its own, or the service's
    /// bound, <see cref="CallLimitsInterceptor"/>) and it was at most <see cref="DeadlineSlack"/> away; UNAVAILABLE when the
    /// service began to shut down (a stream's token fires with it, and <see cref="CallLimitsInterceptor"/> answers so); else
    /// CANCELLED. A client's own deadline timer ends its call, and its cancel reaches the service before the service's deadline
    /// (a trial saw it with 100 ms of slack; likely the grpc-timeout it sent was reckoned before its credentials were fetched).
    /// </summary>
    private static StatusCode Seen(ServerCallContext context) =>
        context.Deadline != DateTime.MaxValue && context.Deadline <= DateTime.UtcNow + DeadlineSlack ? StatusCode.DeadlineExceeded
        : context.GetHttpContext().RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping.IsCancellationRequested == true
            ? StatusCode.Unavailable
            : StatusCode.Cancelled;

    /// <summary>How far ahead of its deadline a call's cancel is still taken for that deadline (<see cref="Seen"/>).</summary>
    private static readonly TimeSpan DeadlineSlack = TimeSpan.FromSeconds(1);

    private static string CallerGoneReason(StatusCode seen, StatusCode answered, string answer) =>
        $"The call ended {Code(answered)} here, but " + seen switch
        {
            StatusCode.DeadlineExceeded => "its deadline (the caller's, or the service's bound) passed",
            StatusCode.Unavailable => "the service began to shut down",
            _ => "its caller cancelled it",
        } + " before its access was recorded, so the answer was not delivered; anything the call wrote stands."
        + (answer.Length > 0 ? $" The answer: {answer}" : "");

    /// <summary>gRPC status codes as the audit stores them: <c>PERMISSION_DENIED</c>.</summary>
    public static string Code(StatusCode status) => status switch
    {
        StatusCode.OK => "OK",
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.AlreadyExists => "ALREADY_EXISTS",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        StatusCode.OutOfRange => "OUT_OF_RANGE",
        StatusCode.Unimplemented => "UNIMPLEMENTED",
        StatusCode.Unavailable => "UNAVAILABLE",
        StatusCode.DataLoss => "DATA_LOSS",
        StatusCode.Unauthenticated => "UNAUTHENTICATED",
        _ => status.ToString().ToUpperInvariant(),
    };
}
