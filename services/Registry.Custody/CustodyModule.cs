using MassTransit;
using Registry.Custody.Consumers;
using Registry.Custody.Data;
using Registry.Custody.Data.Sqlite;
using Registry.Custody.Features.Admission;
using Registry.Custody.Features.Exchanges;
using Registry.Custody.Features.Fitness;
using Registry.Custody.Features.Lifecycle;
using Registry.Custody.Features.Merges;
using Registry.Custody.Features.Records;
using Registry.Custody.Features.Returns;
using Registry.Custody.Features.Sharing;
using Registry.Custody.Features.Timeline;
using Registry.Custody.Features.Transfers;
using Registry.Custody.Grpc;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Hosting;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security.Audit;

namespace Registry.Custody;

/// <summary>The custody service as a module: its own Program.cs calls these, and so can a host that composes several services.</summary>
public static class CustodyModule
{
    /// <summary>The name of its database connection string (ConnectionStrings:Custody).</summary>
    public const string ConnectionName = "Custody";

    /// <summary>Medical's gRPC address, for the fitness question (<see cref="MedicalFitness"/>).</summary>
    public const string MedicalAddressKey = "Services:Medical";

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
        // Part A (lifecycle): escape, recapture, release, chain verification, following medical.
        builder.Services.AddScoped<LifecycleMoveHandler>();
        builder.Services.AddScoped<VerifyCustodyChainHandler>();
        builder.Services.AddScoped<FollowMedicalHandler>();
        builder.Services.AddScoped<Registry.ServiceDefaults.Security.ICaseOwnership, CustodyCaseOwnership>();
        // Non-refoulement, repatriation, third-state transfer.
        builder.Services.AddScoped<AssessReturnRiskHandler>();
        builder.Services.AddScoped<ListReturnRiskAssessmentsHandler>();
        builder.Services.AddScoped<RecordReturnWishHandler>();
        builder.Services.AddScoped<ListReturnWishesHandler>();
        builder.Services.AddScoped<ReturnHandler>();
        // Part E: exchange lists.
        builder.Services.AddScoped<ExchangeListHandler>();
        // Part C: interviews (GC III Art. 17) and ICRC visits (Art. 126).
        builder.Services.AddScoped<Registry.Custody.Features.Interviews.RecordInterviewHandler>();
        builder.Services.AddScoped<Registry.Custody.Features.Interviews.ListInterviewsHandler>();
        builder.Services.AddScoped<Registry.Custody.Features.IcrcVisits.RecordIcrcVisitHandler>();
        builder.Services.AddScoped<Registry.Custody.Features.IcrcVisits.ListIcrcVisitsHandler>();
        builder.AddMedicalFitness();
        // Transfers (GC III Art. 46-48).
        builder.Services.AddScoped<TransferCustodyHandler>();
        builder.Services.AddScoped<ConfirmTransferArrivalHandler>();
        builder.AddRegistryConsumers(bus =>
        {
            bus.AddConsumer<CaseRegisteredConsumer, CaseRegisteredConsumerDefinition>();
            bus.AddConsumer<CaseRegisteredBundleConsumer, CaseRegisteredBundleConsumerDefinition>();
            bus.AddConsumer<CaseSharedConsumer, CaseSharedConsumerDefinition>();
            bus.AddConsumer<CaseShareRevokedConsumer, CaseShareRevokedConsumerDefinition>();
            bus.AddConsumer<CasesMergedConsumer, CasesMergedConsumerDefinition>();
            // Part A (lifecycle): custody follows medical.
            bus.AddConsumer<PatientHospitalisedConsumer, PatientHospitalisedConsumerDefinition>();
            bus.AddConsumer<PatientDischargedConsumer, PatientDischargedConsumerDefinition>();
            bus.AddConsumer<DeathRecordedConsumer, DeathRecordedConsumerDefinition>();
        });
        return builder;
    }

    /// <summary>
    /// Custody's gRPC client of medical (<c>Services:Medical</c>) for the fitness question (<see cref="MedicalFitness"/>).
    /// Without the address every fitness question answers UNAVAILABLE (a move then needs an override reason), and the
    /// service says so at start.
    /// </summary>
    private static void AddMedicalFitness(this IHostApplicationBuilder builder)
    {
        var options = new CustodyFitnessOptions
        {
            Timeout = DurationSetting.Positive(builder.Configuration.GetSection("Custody"), "FitnessCallTimeout", TimeSpan.FromSeconds(3)),
        };
        builder.Services.AddSingleton(options);
        if (builder.Configuration[MedicalAddressKey] is { Length: > 0 })
        {
            // One address, several (replicas), or a name DNS resolves to every replica (Services:ResolveDns).
            builder.Services.AddRegistryGrpcClient<MedicalService.MedicalServiceClient>(ServiceAddresses.Read(builder.Configuration, MedicalAddressKey, "medical"));
            builder.Services.AddScoped<MedicalFitness>();
        }
        else
        {
            builder.Services.AddScoped(sp => new MedicalFitness(null, options, sp.GetRequiredService<ILogger<MedicalFitness>>(), sp.GetService<IHttpContextAccessor>()));
            builder.Services.AddHostedService(sp => new StartupWarning(sp.GetRequiredService<ILogger<MedicalFitness>>(),
                "Services:Medical is not set: custody cannot ask medical about fitness; transfers and interviews need an override reason."));
        }
    }

    private sealed class StartupWarning(ILogger logger, string message) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            logger.LogWarning("{Warning}", message);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    public static IEndpointRouteBuilder MapCustody(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<CustodyGrpcService>();
        app.MapAccessAudit<CustodyDbContext>();
        return app;
    }
}
