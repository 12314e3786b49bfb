using MassTransit;
using Registry.Contracts;
using Registry.Intake.Data;
using Registry.Intake.Features.CaptureCards;
using Registry.Intake.Features.Notifications;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Consumers;

/// <summary>A hospitalisation makes a new capture card due and is notified to the ICRC, without clinical detail (GC III Art. 70, 122).</summary>
public sealed class PatientHospitalisedConsumer(CaptureCardEventHandler handler, NotificationSignal signal, InboxCommit commit, ILogger<PatientHospitalisedConsumer> logger)
    : IConsumer<PatientHospitalised>
{
    public async Task Consume(ConsumeContext<PatientHospitalised> context)
    {
        var m = context.Message;
        var owner = await handler.HandleAsync(m, context.CancellationToken);
        commit.OnCommitted(signal.Notify); // readers of the feed are woken once the notification is committed
        logger.LogInformation("Hospitalisation of case {CaseId}: capture card due again ({Known})", m.CaseId, owner is not null);
    }
}

public sealed class PatientHospitalisedConsumerDefinition()
    : RegistryConsumerDefinition<PatientHospitalisedConsumer, IntakeDbContext>("intake-patient-hospitalised");
