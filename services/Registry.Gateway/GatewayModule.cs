using Grpc.Reflection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Registry.Gateway.Forwarding;
using Yarp.ReverseProxy.Transforms;
using Registry.Gateway.Grpc;
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

        var (routes, clusters) = ServiceRoutes.Build(backends);
        var deadlines = new ForwardedDeadlines([IntakeService.Descriptor, CustodyService.Descriptor, MedicalService.Descriptor], backends.ForwardedCallTimeout);
        builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters)
            .AddTransforms(t => t.AddRequestTransform(context =>
            {
                deadlines.Apply(context);
                return ValueTask.CompletedTask;
            }));

        // Generated clients for the case file; context propagation carries the caller's deadline and cancellation.
        builder.Services.AddRegistryGrpcClient<IntakeService.IntakeServiceClient>(backends.Intake);
        builder.Services.AddRegistryGrpcClient<CustodyService.CustodyServiceClient>(backends.Custody);
        builder.Services.AddRegistryGrpcClient<MedicalService.MedicalServiceClient>(backends.Medical);

        // Reflection through the gateway lists what can be called through it, forwarded services
        // included (both protocol versions: grpcurl asks v1alpha, buf curl v1).
        Google.Protobuf.Reflection.ServiceDescriptor[] reachable =
        [
            IntakeService.Descriptor,
            CustodyService.Descriptor,
            MedicalService.Descriptor,
            CaseFileService.Descriptor,
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
        app.MapReverseProxy();
        return app;
    }
}
