using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Registry.ServiceDefaults.Security;

namespace Registry.ServiceDefaults.Grpc;

public static class RegistryGrpcServer
{
    /// <summary>
    /// The gRPC server every service (and the gateway) runs: the registry's bounds on calls
    /// (<see cref="CallLimitsInterceptor"/>, outermost), the access check and audit (<see cref="AccessControlInterceptor"/>), its error mapping, a receive limit, and HTTP/2
    /// keep-alive pings on Kestrel so a client or gateway that vanished without closing its connection
    /// is found and its streams end (<see cref="GrpcCallOptions"/>, section <c>Grpc</c>).
    /// </summary>
    public static WebApplicationBuilder AddRegistryGrpcServer(this WebApplicationBuilder builder)
    {
        var options = GrpcCallOptions.From(builder.Configuration);
        builder.Services.AddSingleton(options);
        builder.Services.AddGrpc(o =>
        {
            o.Interceptors.Add<CallLimitsInterceptor>();
            // Who may call, inside the call bounds and outside the error mapping, so it audits mapped statuses.
            o.Interceptors.Add<AccessControlInterceptor>();
            o.Interceptors.Add<ExceptionMappingInterceptor>();
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
