using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Registry.ServiceDefaults.Grpc;

/// <summary>Rich gRPC errors (google.rpc.Status with details) thrown from one place.</summary>
public static class RpcErrors
{
    /// <summary>The <c>google.rpc.ErrorInfo.domain</c> of every reason code the registry answers.</summary>
    public const string Domain = "registry";

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

    /// <summary>
    /// ALREADY_EXISTS with <c>ErrorInfo{reason, domain "registry"}</c> (AIP-193: every error carries one), e.g.
    /// <c>REQUEST_ID_REUSED</c> (the idempotency key of another request) with the key in <paramref name="metadata"/>.
    /// </summary>
    public static RpcException AlreadyExists(string reason, string message, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var info = new ErrorInfo { Reason = reason, Domain = Domain };
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            info.Metadata[key] = value;
        }

        return new Google.Rpc.Status { Code = (int)Code.AlreadyExists, Message = message, Details = { Any.Pack(info) } }.ToRpcException();
    }

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
                    Domain = Domain,
                    Metadata = { ["expected"] = expected.ToString(), ["actual"] = actual.ToString() },
                }),
            },
        }.ToRpcException();

    /// <summary>
    /// A rule of the resource's lifecycle says no (e.g. a merged case takes no more changes). One shape in
    /// every service: <c>ErrorInfo{reason, domain "registry", metadata resource_type}</c> and one
    /// <c>PreconditionFailure</c> violation whose type is the reason code and whose subject is the resource name.
    /// </summary>
    public static RpcException FailedPrecondition(string reason, string resourceType, string subject, string description) =>
        new Google.Rpc.Status
        {
            Code = (int)Code.FailedPrecondition,
            Message = description,
            Details =
            {
                Any.Pack(new ErrorInfo { Reason = reason, Domain = Domain, Metadata = { ["resource_type"] = resourceType, ["subject"] = subject } }),
                Any.Pack(new PreconditionFailure { Violations = { new PreconditionFailure.Types.Violation { Type = reason, Subject = subject, Description = description } } }),
            },
        }.ToRpcException();

    /// <summary>
    /// Concurrent writers kept colliding on one record and the service gave up retrying for the caller:
    /// ABORTED (AIP-193: retry the whole read-modify-write) with <c>ErrorInfo{reason CONCURRENT_CHANGE}</c>
    /// and a suggested delay.
    /// </summary>
    public static RpcException Contended(string resourceType, string name, string message) =>
        new Google.Rpc.Status
        {
            Code = (int)Code.Aborted,
            Message = message,
            Details =
            {
                Any.Pack(new ErrorInfo { Reason = "CONCURRENT_CHANGE", Domain = Domain, Metadata = { ["resource_type"] = resourceType, ["subject"] = name } }),
                Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(100)) }),
            },
        }.ToRpcException();

    /// <summary>
    /// RESOURCE_EXHAUSTED for a bulk call refused because every slot is taken and <see cref="GrpcCallOptions.MaxWaitingBulkCalls"/>
    /// calls already wait (AIP-194: retry after the delay), with <c>ErrorInfo{reason BULK_CALLS_BUSY}</c> and a
    /// <c>RetryInfo</c> of <paramref name="retryAfter"/>. Nothing of the call was done.
    /// </summary>
    public static RpcException BulkCallsBusy(int running, int waiting, TimeSpan retryAfter) =>
        new Google.Rpc.Status
        {
            Code = (int)Code.ResourceExhausted,
            Message = $"{running} bulk call(s) are running and {waiting} waiting, as many as this service takes (Grpc:MaxConcurrentBulkCalls, " +
                $"Grpc:MaxWaitingBulkCalls); nothing of this call was done: send it again after {retryAfter.TotalSeconds:0.#} s, or with fewer calls in flight.",
            Details =
            {
                Any.Pack(new ErrorInfo { Reason = "BULK_CALLS_BUSY", Domain = Domain }),
                Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) }),
            },
        }.ToRpcException();

    /// <summary>
    /// INTERNAL for a fault of the registry that a retry would meet again (a value its store refused,
    /// <see cref="Data.RefusedValue"/>), with <c>google.rpc.ErrorInfo</c> reason <c>STORE_REFUSED_VALUE</c> and the store's
    /// code in its metadata (<c>store_code</c>: the SQLSTATE, e.g. 22001), and no <c>RetryInfo</c> (AIP-194: INTERNAL is not retried).
    /// </summary>
    public static RpcException StoreRefusedValue(string code, string? traceId) =>
        new Google.Rpc.Status
        {
            Code = (int)Code.Internal,
            Message = $"The registry could not store this request: its database refused a value ({code}). This is a fault "
                + "of the registry, not a passing outage: sent again it fails the same way. Nothing of it was stored; report it"
                + (string.IsNullOrEmpty(traceId) ? "." : $" with trace id {traceId}."),
            Details =
            {
                Any.Pack(new ErrorInfo
                {
                    Reason = "STORE_REFUSED_VALUE",
                    Domain = Domain,
                    Metadata = { ["store_code"] = code },
                }),
            },
        }.ToRpcException();

    /// <summary>
    /// DEADLINE_EXCEEDED for a call whose own deadline (its <c>grpc-timeout</c>, carried on to the calls it makes: call-context
    /// propagation) ran out while the service waited for another service, with <c>ErrorInfo{reason CALLER_DEADLINE_EXCEEDED}</c>
    /// and <c>ErrorInfo.metadata.waited_for</c> the service it waited for. Nothing of the call was done (AIP-194: retry with a
    /// longer deadline).
    /// </summary>
    public static RpcException CallerDeadlineExceeded(string waitedFor, string message) =>
        new Google.Rpc.Status
        {
            Code = (int)Code.DeadlineExceeded,
            Message = message,
            Details = { Any.Pack(new ErrorInfo { Reason = "CALLER_DEADLINE_EXCEEDED", Domain = Domain, Metadata = { ["waited_for"] = waitedFor } }) },
        }.ToRpcException();

    public static RpcException Unavailable(string message) =>
        new Google.Rpc.Status
        {
            Code = (int)Code.Unavailable,
            Message = message,
            Details = { Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) }) },
        }.ToRpcException();
}
