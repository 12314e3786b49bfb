using Grpc.Reflection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Registry.Gateway.Forwarding;
using Registry.Gateway.HttpJson;
using Registry.Gateway.Limits;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;
using Registry.Gateway.Grpc;
using Registry.Protos.Audit.V1;
using Registry.Protos.Custody.V1;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Security;

namespace Registry.Gateway;

/// <summary>The gateway as a module: the one public address, forwarding to the services and serving the reads that stitch them together.</summary>
public static class GatewayModule
{
    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        var backends = BackendOptions.From(builder.Configuration);
        builder.Services.AddSingleton(backends);

        // What each forwarded method is (unary or streaming) comes from the compiled protos: a new RPC needs no gateway code.
        var methods = new ForwardedMethods([IntakeService.Descriptor, CustodyService.Descriptor, MedicalService.Descriptor]);
        builder.Services.AddSingleton(methods);
        builder.Services.AddSingleton<ForwardedCallGuard>();
        // YARP logs each forwarding failure at Warning with its exception (HttpForwarder, event 48 ForwardingError), a caller's
        // own deadline or cancel too whenever its reset races the copy of the request body, and a service's DEADLINE_EXCEEDED
        // followed by its reset of the stream: the guard, which knows the call's deadline and its caller, logs them instead.
        // A default only: an operator's Logging:LogLevel for this category (a filter added in code would win over it) holds.
        const string forwarder = "Yarp.ReverseProxy.Forwarder.HttpForwarder";
        if (builder.Configuration[$"Logging:LogLevel:{forwarder}"] is null)
        {
            builder.Logging.AddFilter(forwarder, LogLevel.Error);
        }
        builder.Services.AddSingleton<ForwardedAccessCheck>();
        builder.Services.AddSingleton<IAccessRefusalReporter, RefusalReporter>();
        builder.Services.AddCallerRateLimits(builder.Configuration);
        var (routes, clusters) = ServiceRoutes.Build(backends, methods);
        var deadlines = new ForwardedDeadlines(methods, backends.ForwardedCallTimeout, backends.MaxForwardedCallTimeout, backends.MaxForwardedBulkCallTimeout);
        builder.Services.AddSingleton(deadlines);
        var proxy = builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters);
        if (backends.ResolveDns)
        {
            // Each destination's host name becomes one destination per address it resolves to (a headless Service's pods).
            proxy.AddDnsDestinationResolver(o => o.RefreshPeriod = RegistryGrpcClients.DnsRefreshInterval);
        }

        proxy
            .AddTransforms(t =>
            {
                t.AddRequestTransform(context =>
                {
                    deadlines.Apply(context);
                    return ValueTask.CompletedTask;
                });
                // A stream's response headers go to the caller as soon as the service sent them: YARP holds them until the
                // first bytes of the body (dotnet/yarp#2520), so a reader at the ICRC feed's end, with nothing to receive yet,
                // would wait for them until the next notification (and a client's header timeout would cut it). Not for a
                // trailers-only answer (an error, grpc-status among the headers), nor for unary calls, whose body follows at once.
                t.AddResponseTransform(async context =>
                {
                    if (context.ProxyResponse is { IsSuccessStatusCode: true } response && !response.Headers.Contains("grpc-status")
                        && methods.IsStreaming(context.HttpContext.Request.Path))
                    {
                        await context.HttpContext.Response.Body.FlushAsync(context.HttpContext.RequestAborted); // StartAsync would not send them
                    }
                });
            });
        builder.Services.AddSingleton<IForwarderHttpClientFactory, KeepAliveForwarderHttpClientFactory>();

        // Generated clients for the case file; context propagation carries the caller's deadline and cancellation.
        builder.Services.AddRegistryGrpcClient<IntakeService.IntakeServiceClient>(backends.Intake);
        builder.Services.AddRegistryGrpcClient<CustodyService.CustodyServiceClient>(backends.Custody);
        builder.Services.AddRegistryGrpcClient<MedicalService.MedicalServiceClient>(backends.Medical);

        // HTTP/JSON: every RPC by its google.api.http route, and the OpenAPI document.
        builder.AddHttpJson(backends);

        // Each service's access audit (the same service on three addresses), merged by AuditService.
        builder.Services.AddRegistryGrpcClient<AccessAuditService.AccessAuditServiceClient>(backends.Intake, "intake");
        builder.Services.AddRegistryGrpcClient<AccessAuditService.AccessAuditServiceClient>(backends.Custody, "custody");
        builder.Services.AddRegistryGrpcClient<AccessAuditService.AccessAuditServiceClient>(backends.Medical, "medical");

        // Reflection through the gateway lists what can be called through it, forwarded services
        // included (both protocol versions: grpcurl asks v1alpha, buf curl v1).
        Google.Protobuf.Reflection.ServiceDescriptor[] reachable =
        [
            IntakeService.Descriptor,
            CustodyService.Descriptor,
            MedicalService.Descriptor,
            CaseFileService.Descriptor,
            AuditService.Descriptor,
            global::Grpc.Health.V1.Health.Descriptor,
        ];
        builder.Services.Replace(ServiceDescriptor.Singleton(new ReflectionServiceImpl(
            [.. reachable, global::Grpc.Reflection.V1Alpha.ServerReflection.Descriptor])));
        builder.Services.Replace(ServiceDescriptor.Singleton(new ReflectionV1ServiceImpl(
            [.. reachable, global::Grpc.Reflection.V1.ServerReflection.Descriptor])));
        return builder;
    }

    /// <summary>
    /// The middleware the gateway's endpoints need: the rate limiter (after authentication, so it knows the client), then the
    /// check of HTTP/JSON requests against their messages (<see cref="HttpJsonRequestCheck"/>: a throttled caller's body is not read).
    /// </summary>
    public static WebApplication UseGateway(this WebApplication app)
    {
        app.UseRateLimiter();
        app.UseHttpJson();
        return app;
    }

    /// <summary>The gateway's endpoints; call <see cref="UseGateway"/> on the application first (its per-client rate limits).</summary>
    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<CaseFileGrpcService>().RequireRateLimiting(CallerRateLimits.Policy);
        app.MapGrpcService<AuditGrpcService>().RequireRateLimiting(CallerRateLimits.Policy);
        app.MapHttpJson();
        var guard = app.ServiceProvider.GetRequiredService<ForwardedCallGuard>();
        var access = app.ServiceProvider.GetRequiredService<ForwardedAccessCheck>();
        app.MapReverseProxy(proxy =>
        {
            proxy.Use((context, next) => guard.InvokeAsync(context, () => next(context)));
            proxy.Use((context, next) => access.InvokeAsync(context, () => next(context)));
            // YARP's default pipeline.
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        }).RequireRateLimiting(CallerRateLimits.Policy);
        return app;
    }
}
