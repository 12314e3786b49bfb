using Grpc.Core;

namespace Registry.ServiceDefaults.Grpc;

/// <summary>
/// CANCELLED for a call given up while it waited for one of a service's slots (<see cref="BulkCallSlots"/>, intake's name
/// searches), nothing of it done; <paramref name="detail"/> says which slot and the setting that sizes it. When the service's
/// own bound is what gave the call up, <see cref="CallLimitsInterceptor"/> answers DEADLINE_EXCEEDED and carries this detail
/// on, so an operator can tell a wait for a slot from a slow statement (other cancellations' details are not carried on:
/// "its caller gave up" would be wrong there).
/// </summary>
public sealed class GivenUpWhileWaitingException(string detail) : RpcException(new Status(StatusCode.Cancelled, detail));
