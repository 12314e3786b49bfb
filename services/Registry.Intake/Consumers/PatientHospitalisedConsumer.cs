using MassTransit;
using Registry.Contracts;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Messaging;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Consumers;

/// <summary>A hospitalisation makes a new capture card due and is notified to the ICRC (without clinical detail).</summary>
public sealed class PatientHospitalisedConsumer(IntakeDbContext db, NotificationSignal signal, InboxCommit commit, TimeProvider clock, ILogger<PatientHospitalisedConsumer> logger)
    : IConsumer<PatientHospitalised>
{
    public async Task Consume(ConsumeContext<PatientHospitalised> context)
    {
        var m = context.Message;
        var owner = await CaptureCardEvents.ApplyAsync(db, m.CaseId, CaptureCardReason.Hospitalisation, NotificationKind.Hospitalisation, m.HospitalisedAt,
            c => $"Admitted to hospital: {IcrcFeed.Describe(c)} at {m.Hospital} on {m.HospitalisedAt:yyyy-MM-dd}.",
            clock.GetUtcNow().ToMicroseconds(), context.CancellationToken);
        commit.OnCommitted(signal.Notify); // readers of the feed are woken once the notification is committed
        logger.LogInformation("Hospitalisation of case {CaseId}: capture card due again ({Known})", m.CaseId, owner is not null);
    }
}

public sealed class PatientHospitalisedConsumerDefinition()
    : RegistryConsumerDefinition<PatientHospitalisedConsumer, IntakeDbContext>("intake-patient-hospitalised");
