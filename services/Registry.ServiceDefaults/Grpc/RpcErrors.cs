using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Registry.ServiceDefaults.Grpc;

/// <summary>Rich gRPC errors (google.rpc.Status with details) thrown from one place.</summary>
public static class RpcErrors
{
    public static RpcException InvalidArgument(IReadOnlyCollection<BadRequest.Types.FieldViolation> violations)
    {
        var badRequest = new BadRequest();
        badRequest.FieldViolations.AddRange(violations);
        var fields = string.Join(", ", violations.Select(v => v.Field).Distinct());
        return new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = $"The request has invalid fields: {fields}.",
            Details = { Any.Pack(badRequest) },
        }.ToRpcException();
    }

    public static RpcException NotFound(string resourceType, string name) =>
        new Google.Rpc.Status
        {
            Code = (int)Code.NotFound,
            Message = $"{resourceType} '{name}' was not found.",
            Details = { Any.Pack(new ResourceInfo { ResourceType = resourceType, ResourceName = name }) },
        }.ToRpcException();

    public static RpcException AlreadyExists(string message) =>
        new Google.Rpc.Status { Code = (int)Code.AlreadyExists, Message = message }.ToRpcException();

    /// <summary>A concurrency conflict: the caller read an older revision; read again and retry.</summary>
    public static RpcException Aborted(string resourceType, string name, long expected, long actual) =>
        new Google.Rpc.Status
        {
            Code = (int)Code.Aborted,
            Message = $"{resourceType} '{name}' is at revision {actual}, not {expected}; read it again and retry.",
            Details =
            {
                Any.Pack(new ErrorInfo
                {
                    Reason = "REVISION_MISMATCH",
                    Domain = "registry",
                    Metadata = { ["expected"] = expected.ToString(), ["actual"] = actual.ToString() },
                }),
            },
        }.ToRpcException();

    /// <summary>A rule of the resource's lifecycle says no (e.g. a merged case takes no more changes).</summary>
    public static RpcException FailedPrecondition(string type, string subject, string description) =>
        new Google.Rpc.Status
        {
            Code = (int)Code.FailedPrecondition,
            Message = description,
            Details = { Any.Pack(new PreconditionFailure { Violations = { new PreconditionFailure.Types.Violation { Type = type, Subject = subject, Description = description } } }) },
        }.ToRpcException();

    public static RpcException Unavailable(string message) =>
        new Google.Rpc.Status
        {
            Code = (int)Code.Unavailable,
            Message = message,
            Details = { Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) }) },
        }.ToRpcException();
}
