using Grpc.Reflection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Registry.Gateway.Forwarding;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;
using Registry.Gateway.Grpc;
using Registry.Protos.Audit.V1;
using Registry.Protos.Custody.V1;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Grpc;

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
        var (routes, clusters) = ServiceRoutes.Build(backends, methods);
        var deadlines = new ForwardedDeadlines(methods, backends.ForwardedCallTimeout, backends.MaxForwardedCallTimeout);
        builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters)
            .AddTransforms(t => t.AddRequestTransform(context =>
            {
                deadlines.Apply(context);
                return ValueTask.CompletedTask;
            }));
        builder.Services.AddSingleton<IForwarderHttpClientFactory, KeepAliveForwarderHttpClientFactory>();

        // Generated clients for the case file; context propagation carries the caller's deadline and cancellation.
        builder.Services.AddRegistryGrpcClient<IntakeService.IntakeServiceClient>(backends.Intake);
        builder.Services.AddRegistryGrpcClient<CustodyService.CustodyServiceClient>(backends.Custody);
        builder.Services.AddRegistryGrpcClient<MedicalService.MedicalServiceClient>(backends.Medical);

        // Each service's access audit (the same service on three addresses), merged by AuditService.
        builder.Services.AddRegistryGrpcClient<AccessAuditService.AccessAuditServiceClient>("intake", backends.Intake);
        builder.Services.AddRegistryGrpcClient<AccessAuditService.AccessAuditServiceClient>("custody", backends.Custody);
        builder.Services.AddRegistryGrpcClient<AccessAuditService.AccessAuditServiceClient>("medical", backends.Medical);

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

    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<CaseFileGrpcService>();
        app.MapGrpcService<AuditGrpcService>();
        var guard = app.ServiceProvider.GetRequiredService<ForwardedCallGuard>();
        app.MapReverseProxy(proxy =>
        {
            proxy.Use((context, next) => guard.InvokeAsync(context, () => next(context)));
            // YARP's default pipeline.
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }
}
