using MassTransit;
using Registry.Custody.Consumers;
using Registry.Custody.Data;
using Registry.Custody.Data.Sqlite;
using Registry.Custody.Features.Admission;
using Registry.Custody.Features.Merges;
using Registry.Custody.Features.Records;
using Registry.Custody.Features.Sharing;
using Registry.Custody.Features.Timeline;
using Registry.Custody.Grpc;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security.Audit;

namespace Registry.Custody;

/// <summary>The custody service as a module: its own Program.cs calls these, and so can a host that composes several services.</summary>
public static class CustodyModule
{
    /// <summary>The name of its database connection string (ConnectionStrings:Custody).</summary>
    public const string ConnectionName = "Custody";

    public static IHostApplicationBuilder AddCustody(this IHostApplicationBuilder builder)
    {
        builder.AddRegistryDatabase<CustodyDbContext, SqliteCustodyDbContext>(CustodyModule.ConnectionName);
        builder.AddAccessAudit<CustodyDbContext>("registry.custody.v1", "custody");
        builder.AddMessagingRetention<CustodyDbContext>();
        builder.AddOutbox<CustodyDbContext>();
        builder.Services.AddScoped<OpenCustodyRecordHandler>();
        builder.Services.AddScoped<AdmitToFacilityHandler>();
        builder.Services.AddScoped<ListCustodyEventsHandler>();
        builder.Services.AddScoped<ApplyShareHandler>();
        builder.Services.AddScoped<ApplyCaseMergeHandler>();
        builder.Services.AddScoped<Registry.ServiceDefaults.Security.ICaseOwnership, CustodyCaseOwnership>();
        builder.AddRegistryConsumers(bus =>
        {
            bus.AddConsumer<CaseRegisteredConsumer, CaseRegisteredConsumerDefinition>();
            bus.AddConsumer<CaseSharedConsumer, CaseSharedConsumerDefinition>();
            bus.AddConsumer<CaseShareRevokedConsumer, CaseShareRevokedConsumerDefinition>();
            bus.AddConsumer<CasesMergedConsumer, CasesMergedConsumerDefinition>();
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapCustody(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<CustodyGrpcService>();
        app.MapAccessAudit<CustodyDbContext>();
        return app;
    }
}
