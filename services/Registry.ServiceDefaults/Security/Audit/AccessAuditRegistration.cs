using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Registry.ServiceDefaults.Security.Audit;

public static class AccessAuditRegistration
{
    /// <summary>
    /// A module's access audit: its <see cref="AccessAuditWriter{TDb}"/> (a singleton, resolvable as one of
    /// <c>IEnumerable&lt;IAccessAuditSink&gt;</c>, started and drained with the host) and the shared
    /// <see cref="AccessAuditSinks"/> lookup. Call once per module; a host composing modules gets one sink each.
    /// </summary>
    /// <param name="package">The gRPC package of the module's calls, e.g. <c>registry.intake.v1</c>.</param>
    /// <param name="service">The service name stored with its events, e.g. <c>intake</c>.</param>
    public static IHostApplicationBuilder AddAccessAudit<TDb>(this IHostApplicationBuilder builder, string package, string service)
        where TDb : DbContext, IAccessAuditStore
    {
        builder.Services.AddSingleton(sp => new AccessAuditWriter<TDb>(
            package, service, sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<ILogger<AccessAuditWriter<TDb>>>()));
        builder.Services.AddSingleton<IAccessAuditSink>(sp => sp.GetRequiredService<AccessAuditWriter<TDb>>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AccessAuditWriter<TDb>>());
        builder.Services.TryAddSingleton<AccessAuditSinks>();
        builder.Services.TryAddSingleton<IAccessCallerIdentity, ClaimsAccessCallerIdentity>();
        return builder;
    }

    /// <summary>Serves registry.audit.v1.AccessAuditService from <typeparamref name="TDb"/>'s store, its endpoints marked with their owner.</summary>
    public static GrpcServiceEndpointConventionBuilder MapAccessAudit<TDb>(this IEndpointRouteBuilder app)
        where TDb : DbContext, IAccessAuditStore
    {
        var package = app.ServiceProvider.GetRequiredService<AccessAuditWriter<TDb>>().Package;
        var endpoints = app.MapGrpcService<AccessAuditGrpcService<TDb>>();
        endpoints.WithMetadata(new AccessAuditOwner(package));
        return endpoints;
    }
}
