using MassTransit;
using Registry.Intake.Consumers;
using Registry.Intake.Data;
using Registry.Intake.Data.Sqlite;
using Registry.Intake.Features;
using Registry.Intake.Grpc;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security.Audit;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.Intake;

/// <summary>The intake service as a module: its own Program.cs calls these, and so can a host that composes several services.</summary>
public static class IntakeModule
{
    /// <summary>The name of its database connection string (ConnectionStrings:Intake).</summary>
    public const string ConnectionName = "Intake";

    public static IHostApplicationBuilder AddIntake(this IHostApplicationBuilder builder)
    {
        builder.AddRegistryDatabase<IntakeDbContext, SqliteIntakeDbContext>(IntakeModule.ConnectionName);
        builder.AddAccessAudit<IntakeDbContext>("registry.intake.v1", "intake");
        builder.AddMessagingRetention<IntakeDbContext>();
        builder.AddOutbox<IntakeDbContext>();
        builder.Services.AddIntakeFeatures(builder.Configuration);
        // registry.gc3.overdue: capture cards, ICRC notifications and weekly health reports late now.
        builder.Services.AddGaugeProbe<Features.CaptureCards.OverdueDutiesProbe>();
        // The ICRC feed's places, given after commit (issue 15): no writer locks a shared row.
        builder.Services.AddSingleton<Features.Notifications.FeedSignal>();
        builder.Services.AddHostedService<Features.Notifications.NotificationSequencer>();
        builder.AddRegistryConsumers(bus =>
        {
            bus.AddConsumer<CustodyAdmittedConsumer, CustodyAdmittedConsumerDefinition>();
            bus.AddConsumer<CustodyTransferredConsumer, CustodyTransferredConsumerDefinition>();
            bus.AddConsumer<PatientHospitalisedConsumer, PatientHospitalisedConsumerDefinition>();
            bus.AddConsumer<DeathRecordedConsumer, DeathRecordedConsumerDefinition>();
            // Issue 14 part A: the ends of captivity, escapes and recaptures for the ICRC feed (Art. 122).
            bus.AddConsumer<CaptivityEndedConsumer, CaptivityEndedConsumerDefinition>();
            bus.AddConsumer<PrisonerEscapedConsumer, PrisonerEscapedConsumerDefinition>();
            bus.AddConsumer<PrisonerRecapturedConsumer, PrisonerRecapturedConsumerDefinition>();
            bus.AddConsumer<WeeklyHealthReportConsumer, WeeklyHealthReportConsumerDefinition>();
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapIntake(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<IntakeGrpcService>();
        app.MapAccessAudit<IntakeDbContext>();
        return app;
    }
}
