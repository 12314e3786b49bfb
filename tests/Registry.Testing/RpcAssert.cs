using Xunit;
using Google.Rpc;
using Grpc.Core;

namespace Registry.Testing;

/// <summary>Assertions on the rich error details (google.rpc.Status) every service answers with.</summary>
public static class RpcAssert
{
    /// <summary>
    /// The request_id was used before for a different request: ALREADY_EXISTS with <c>ErrorInfo{reason
    /// REQUEST_ID_REUSED, domain "registry", metadata request_id}</c>.
    /// </summary>
    public static void RequestIdReused(RpcException error, Guid requestId)
    {
        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
        var info = error.GetRpcStatus()?.GetDetail<ErrorInfo>() ?? throw new Xunit.Sdk.XunitException("ALREADY_EXISTS carried no ErrorInfo.");
        Assert.Equal(("REQUEST_ID_REUSED", "registry"), (info.Reason, info.Domain));
        Assert.Equal(requestId.ToString(), info.Metadata["request_id"]);
    }

    /// <summary>
    /// A rule refused the call: FAILED_PRECONDITION with <c>ErrorInfo{reason, domain "registry"}</c> and one
    /// <c>PreconditionFailure</c> violation of type <paramref name="reason"/> naming <paramref name="subject"/>
    /// — the one shape all services share.
    /// </summary>
    public static void RuleViolation(RpcException error, string reason, string subject)
    {
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        var status = error.GetRpcStatus() ?? throw new Xunit.Sdk.XunitException("FAILED_PRECONDITION carried no google.rpc.Status details.");
        var info = status.GetDetail<ErrorInfo>() ?? throw new Xunit.Sdk.XunitException("FAILED_PRECONDITION carried no ErrorInfo.");
        Assert.Equal(reason, info.Reason);
        Assert.Equal("registry", info.Domain);
        var violation = Assert.Single((status.GetDetail<PreconditionFailure>() ?? new PreconditionFailure()).Violations);
        Assert.Equal(reason, violation.Type);
        Assert.Equal(subject, violation.Subject);
        Assert.False(string.IsNullOrWhiteSpace(violation.Description));
    }
}
