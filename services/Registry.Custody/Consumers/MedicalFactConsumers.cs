using MassTransit;
using Registry.Contracts;
using Registry.Custody.Data;
using Registry.Custody.Features.Lifecycle;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Custody.Consumers;

/// <summary>Medical admitted the person to hospital: the record moves to HOSPITALISED (once per event; the inbox filter commits).</summary>
public sealed class PatientHospitalisedConsumer(FollowMedicalHandler medical) : IConsumer<PatientHospitalised>
{
    public Task Consume(ConsumeContext<PatientHospitalised> context) => medical.HospitalisedAsync(context.Message, context.CancellationToken);
}

public sealed class PatientHospitalisedConsumerDefinition()
    : RegistryConsumerDefinition<PatientHospitalisedConsumer, CustodyDbContext>("custody-patient-hospitalised");

/// <summary>Medical discharged the person: the record returns to HELD, or AWAITING_ADMISSION if never admitted.</summary>
public sealed class PatientDischargedConsumer(FollowMedicalHandler medical) : IConsumer<PatientDischarged>
{
    public Task Consume(ConsumeContext<PatientDischarged> context) => medical.DischargedAsync(context.Message, context.CancellationToken);
}

public sealed class PatientDischargedConsumerDefinition()
    : RegistryConsumerDefinition<PatientDischargedConsumer, CustodyDbContext>("custody-patient-discharged");

/// <summary>Medical recorded a death (GC III Art. 120): the record closes DECEASED.</summary>
public sealed class DeathRecordedConsumer(FollowMedicalHandler medical) : IConsumer<DeathRecorded>
{
    public Task Consume(ConsumeContext<DeathRecorded> context) => medical.DiedAsync(context.Message, context.CancellationToken);
}

public sealed class DeathRecordedConsumerDefinition()
    : RegistryConsumerDefinition<DeathRecordedConsumer, CustodyDbContext>("custody-death-recorded");
