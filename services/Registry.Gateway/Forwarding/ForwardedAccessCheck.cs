using Registry.ServiceDefaults.Security;

namespace Registry.Gateway.Forwarding;

/// <summary>
/// The gateway's own enforcement of the access table on forwarded calls, before anything reaches a
/// service: no valid token → UNAUTHENTICATED, no role of the caller may call the method → PERMISSION_DENIED,
/// answered as a trailers-only gRPC response in the same shape the service would give
/// (<see cref="AccessRefusals"/>). The refusal is reported to the owning service, which audits it
/// (<see cref="IAccessRefusalReporter"/>). Scope on a case (own agency, shared) needs the case and is the
/// owning service's check; the caller's token is forwarded unchanged so the service validates it again.
/// </summary>
public sealed class ForwardedAccessCheck(AccessPolicy policy, ForwardedMethods methods, ILogger<ForwardedAccessCheck> logger)
{
    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var method = (context.Request.Path.Value ?? "").TrimStart('/');
        if (AccessPolicy.IsOpen(method))
        {
            await next();
            return;
        }

        var decision = await policy.DecideAsync(context, method);
        if (decision.Allowed)
        {
            await next();
            return;
        }

        AccessMetrics.Denied(method, decision.Status, decision.Caller);
        if (context.RequestServices.GetService<IAccessRefusalReporter>() is { } reporter)
        {
            try
            {
                var caseIds = await CaseIdsAsync(context, method);
                await reporter.ReportAsync(context, method, decision.Status, decision.Reason, caseIds, context.RequestAborted);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The refusal stands either way; the service did not get to record it.
                logger.LogError(ex, "The gateway's refusal of {Method} ({Status}) could not be reported for the audit", method, decision.Status);
            }
        }

        await AccessRefusals.WriteAsync(context, AccessRefusals.Status(decision));
    }

    /// <summary>The body of a refused call is not forwarded, so it is read here: the cases it names go into the audit.</summary>
    private async Task<IReadOnlyList<Guid>> CaseIdsAsync(HttpContext context, string method)
    {
        // A unary request: one length-prefixed message (gRPC over HTTP/2), uncompressed, of a modest size.
        if (methods.Find("/" + method) is not { IsClientStreaming: false } descriptor)
        {
            return [];
        }

        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var body = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
            if (body.Length < 5 || body[0] != 0 || body.Length > 64 * 1024)
            {
                return [];
            }

            var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(body[1..5]);
            return length == body.Length - 5
                ? ProtoCaseFields.FromRequest(descriptor.InputType.Parser.ParseFrom(body[5..].ToArray()))
                : [];
        }
        catch (Exception ex) when (ex is Google.Protobuf.InvalidProtocolBufferException or IOException)
        {
            return [];
        }
    }
}
