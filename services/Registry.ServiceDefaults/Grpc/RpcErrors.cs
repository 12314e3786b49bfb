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

    public static RpcException Unavailable(string message) =>
        new Google.Rpc.Status
        {
            Code = (int)Code.Unavailable,
            Message = message,
            Details = { Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) }) },
        }.ToRpcException();
}
