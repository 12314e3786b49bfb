using Grpc.Core;

namespace Registry.Gateway.HttpJson;

/// <summary>
/// The call invoker of a registry gRPC client for one owning service (named by <see cref="Name"/>): the same channel settings, caller-token forwarding and call-context propagation as the
/// gateway's generated clients (<see cref="Registry.ServiceDefaults.Grpc.RegistryGrpcClients"/>), without a
/// generated type, so one forwarder serves every method.
/// </summary>
public sealed class BackendInvoker(CallInvoker invoker)
{
    public CallInvoker Invoker { get; } = invoker;

    /// <summary>The client's name for a service (<c>intake</c>, <c>custody</c>, <c>medical</c>): names are shared by every client type.</summary>
    public static string Name(string service) => $"http-json-{service}";
}
