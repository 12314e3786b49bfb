using MassTransit;
using Registry.Contracts;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Features.CaptureCards;
using Registry.Intake.Features.Notifications;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Consumers;

/// <summary>A hospitalisation makes a new capture card due and is notified to the ICRC (without clinical detail).</summary>
public sealed class PatientHospitalisedConsumer(IntakeDbContext db, CaptureCardEventHandler handler, NotificationSignal signal, ILogger<PatientHospitalisedConsumer> logger)
    : IConsumer<PatientHospitalised>
{
    public async Task Consume(ConsumeContext<PatientHospitalised> context)
    {
        var m = context.Message;
        CaptureCase? owner = null;
        await db.ApplyOnceAsync(context.MessageId ?? throw new InvalidOperationException("PatientHospitalised without a message id."),
            nameof(PatientHospitalisedConsumer), async ct => owner = await handler.HandleAsync(m, ct), context.CancellationToken);
        signal.Notify();
        logger.LogInformation("Hospitalisation of case {CaseId}: capture card due again ({Known})", m.CaseId, owner is not null);
    }
}

public sealed class PatientHospitalisedConsumerDefinition : ConsumerDefinition<PatientHospitalisedConsumer>
{
    public PatientHospitalisedConsumerDefinition() => EndpointName = "intake-patient-hospitalised";

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint,
        IConsumerConfigurator<PatientHospitalisedConsumer> consumer, IRegistrationContext context) =>
        endpoint.UseRegistryRetry(context);
}
