using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Registry.ServiceDefaults.Security;

namespace Registry.ServiceDefaults.Grpc;

public static class RegistryGrpcServer
{
    /// <summary>
    /// The gRPC server every service (and the gateway) runs: an UNAVAILABLE of its own marked not to be retried
    /// (<see cref="RetryPushbackInterceptor"/>, outermost), the registry's bounds on calls
    /// (<see cref="CallLimitsInterceptor"/>), its error mapping, the access check and audit (<see cref="AccessControlInterceptor"/>), a receive limit, and HTTP/2
    /// keep-alive pings on Kestrel so a client or gateway that vanished without closing its connection
    /// is found and its streams end (<see cref="GrpcCallOptions"/>, section <c>Grpc</c>).
    /// </summary>
    public static WebApplicationBuilder AddRegistryGrpcServer(this WebApplicationBuilder builder)
    {
        var options = GrpcCallOptions.From(builder.Configuration);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<BulkCallSlots>();
        builder.Services.AddGrpc(o =>
        {
            o.Interceptors.Add<RetryPushbackInterceptor>();
            o.Interceptors.Add<CallLimitsInterceptor>();
            o.Interceptors.Add<ExceptionMappingInterceptor>();
            // Who may call, inside the error mapping (a store failure of its own answers UNAVAILABLE); it audits
            // a handler's exception with the status the mapping gives it (ExceptionMappingInterceptor.StatusOf).
            o.Interceptors.Add<AccessControlInterceptor>();
            // Far above any legitimate request; keeps a hostile client from making us buffer more.
            o.MaxReceiveMessageSize = 4 * 1024 * 1024;
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.Http2.KeepAlivePingDelay = options.KeepAlivePingDelay;
            kestrel.Limits.Http2.KeepAlivePingTimeout = options.KeepAlivePingTimeout;
        });
        return builder;
    }
}
