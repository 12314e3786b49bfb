using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Registry.ServiceDefaults.Grpc;

namespace Registry.ServiceDefaults.Security;

/// <summary>
/// The statuses of a refused call, one shape wherever it is refused (the gateway or the service), so a
/// caller that reaches a service directly gets the same answer: <c>google.rpc.Status</c> with an
/// <c>ErrorInfo</c> whose reason is <c>INVALID_TOKEN</c> (UNAUTHENTICATED), <c>ROLE_NOT_ALLOWED</c>,
/// <c>AGENCY_MISMATCH</c> (metadata <c>field</c>), <c>NOT_OWN_AGENCY</c>, <c>NOT_SHARED</c> or
/// <c>SCOPE_NOT_CHECKABLE</c> (PERMISSION_DENIED).
/// </summary>
public static class AccessRefusals
{
    public static Google.Rpc.Status Status(AccessDecision decision) => decision.Status switch
    {
        StatusCode.Unavailable => new Google.Rpc.Status
        {
            Code = (int)Code.Unavailable,
            Message = decision.Reason,
            Details = { Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) }) },
        },
        StatusCode.PermissionDenied => PermissionDenied(decision.Reason, "ROLE_NOT_ALLOWED", decision.Row?.Method ?? ""),
        _ => new Google.Rpc.Status
        {
            Code = (int)decision.Status,
            Message = decision.Reason,
            Details = { Any.Pack(new ErrorInfo { Reason = "INVALID_TOKEN", Domain = RpcErrors.Domain }) },
        },
    };

    public static Google.Rpc.Status PermissionDenied(string message, string reason, string subject, string? field = null)
    {
        var info = new ErrorInfo { Reason = reason, Domain = RpcErrors.Domain, Metadata = { ["subject"] = subject } };
        if (field is not null)
        {
            info.Metadata["field"] = field;
        }

        return new Google.Rpc.Status { Code = (int)Code.PermissionDenied, Message = message, Details = { Any.Pack(info) } };
    }

    /// <summary>
    /// Answers an HTTP/2 gRPC request with a trailers-only response carrying <paramref name="status"/>
    /// (gRPC over HTTP/2: <c>grpc-status</c>, percent-encoded <c>grpc-message</c>, and the
    /// <c>grpc-status-details-bin</c> rich status), for a refusal decided outside a gRPC handler (the
    /// gateway's proxy).
    /// </summary>
    /// <param name="context">The request to answer.</param>
    /// <param name="status">The answer.</param>
    /// <param name="httpStatus">For an HTTP/JSON request, an HTTP status more precise than its code's (e.g. 413 for a body too large); default: the code's.</param>
    public static Task WriteAsync(HttpContext context, Google.Rpc.Status status, int? httpStatus = null)
    {
        if (!IsGrpc(context.Request))
        {
            return WriteJsonAsync(context, status, httpStatus);
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = status.Code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] = Uri.EscapeDataString(status.Message);
        context.Response.Headers["grpc-status-details-bin"] = Convert.ToBase64String(Google.Protobuf.MessageExtensions.ToByteArray(status)).TrimEnd('=');
        return context.Response.CompleteAsync();
    }

    /// <summary>Whether the request is a gRPC call (<c>application/grpc</c>, <c>application/grpc+proto</c>, ...) rather than HTTP/JSON.</summary>
    public static bool IsGrpc(Microsoft.AspNetCore.Http.HttpRequest request) =>
        request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    private static readonly Google.Protobuf.JsonFormatter StatusJson = new(Google.Protobuf.JsonFormatter.Settings.Default
        .WithTypeRegistry(Google.Protobuf.Reflection.TypeRegistry.FromFiles(Google.Rpc.ErrorDetailsReflection.Descriptor)));

    /// <summary>
    /// The refusal of an HTTP/JSON call (the gateway's transcoded routes): the <c>google.rpc.Status</c> as JSON, its details
    /// as objects with their <c>@type</c>, the HTTP status of its code as JSON transcoding gives it, and for
    /// RESOURCE_EXHAUSTED a <c>Retry-After</c> (RFC 9110 §10.2.3) from its RetryInfo.
    /// </summary>
    private static Task WriteJsonAsync(HttpContext context, Google.Rpc.Status status, int? httpStatus)
    {
        context.Response.StatusCode = httpStatus ?? (global::Grpc.Core.StatusCode)status.Code switch
        {
            global::Grpc.Core.StatusCode.InvalidArgument => StatusCodes.Status400BadRequest,
            global::Grpc.Core.StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
            global::Grpc.Core.StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
            global::Grpc.Core.StatusCode.NotFound => StatusCodes.Status404NotFound,
            global::Grpc.Core.StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
            global::Grpc.Core.StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
            global::Grpc.Core.StatusCode.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
            _ => StatusCodes.Status500InternalServerError,
        };
        var retry = status.Details.Where(d => d.Is(Google.Rpc.RetryInfo.Descriptor)).Select(d => d.Unpack<Google.Rpc.RetryInfo>()).FirstOrDefault();
        if (retry?.RetryDelay is { } delay)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(delay.ToTimeSpan().TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(StatusJson.Format(status));
    }
}
