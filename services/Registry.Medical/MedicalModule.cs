using MassTransit;
using Registry.Medical.Consumers;
using Registry.Medical.Data;
using Registry.Medical.Data.Sqlite;
using Registry.Medical.Features.Certificates;
using Registry.Medical.Features.Deaths;
using Registry.Medical.Features.Encounters;
using Registry.Medical.Features.Enquiries;
using Registry.Medical.Features.Hospitalisation;
using Registry.Medical.Features.Fitness;
using Registry.Medical.Features.Inspections;
using Registry.Medical.Features.Merges;
using Registry.Medical.Features.Records;
using Registry.Medical.Features.SeriouslyIll;
using Registry.Medical.Grpc;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Security.Audit;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.Medical;

/// <summary>The medical service as a module: its own Program.cs calls these, and so can a host that composes several services.</summary>
public static class MedicalModule
{
    /// <summary>The name of its database connection string (ConnectionStrings:Medical).</summary>
    public const string ConnectionName = "Medical";

    public static IHostApplicationBuilder AddMedical(this IHostApplicationBuilder builder)
    {
        builder.AddRegistryDatabase<MedicalDbContext, SqliteMedicalDbContext>(MedicalModule.ConnectionName);
        builder.AddAccessAudit<MedicalDbContext>("registry.medical.v1", "medical");
        builder.AddOutbox<MedicalDbContext>();
        // registry.gc3.overdue: monthly inspections late now (GC III Art. 31).
        builder.Services.AddGaugeProbe<OverdueInspectionsProbe>();
        builder.Services.AddScoped<OpenMedicalRecordHandler>();
        // Whose record a case is, for the intake officer's own-agency row on GetMedicalSummary.
        builder.Services.AddScoped<Registry.ServiceDefaults.Security.ICaseOwnership, MedicalCaseOwnership>();
        builder.Services.AddScoped<GetMedicalRecordHandler>();
        builder.Services.AddScoped<RecordEncounterHandler>();
        builder.Services.AddScoped<ListEncountersHandler>();
        builder.Services.AddScoped<ApplyCaseMergeHandler>();
        // Certificates of treatment (GC III Art. 30).
        builder.Services.AddScoped<IssueTreatmentCertificateHandler>();
        builder.Services.AddScoped<TreatmentCertificateQueries>();
        builder.Services.AddSingleton<CertificateFonts>();
        builder.Services.AddSingleton<CertificateDocument>();
        builder.Services.AddHostedService<CertificateFontCheck>();
        // Hospitalisation, death and enquiries.
        builder.Services.AddScoped<AdmitToHospitalHandler>();
        builder.Services.AddScoped<DischargeFromHospitalHandler>();
        builder.Services.AddScoped<ListHospitalStaysHandler>();
        builder.Services.AddScoped<RecordDeathHandler>();
        builder.Services.AddScoped<GetDeathHandler>();
        builder.Services.AddScoped<OpenEnquiryHandler>();
        builder.Services.AddScoped<CloseEnquiryHandler>();
        builder.Services.AddScoped<ListEnquiriesHandler>();
        // Fitness assessments and batch inspections.
        builder.Services.AddScoped<AssessFitnessHandler>();
        builder.Services.AddScoped<ListFitnessAssessmentsHandler>();
        builder.Services.AddScoped<GetFitnessHandler>();
        builder.Services.AddScoped<RecordInspectionsHandler>();
        builder.Services.AddScoped<ListOverdueInspectionsHandler>();
        // Seriously ill or wounded, weekly health reports (GC III Art. 122).
        builder.Services.AddScoped<MarkSeriouslyIllHandler>();
        builder.Services.AddScoped<UnmarkSeriouslyIllHandler>();
        builder.Services.AddScoped<RecordWeeklyHealthReportHandler>();
        builder.Services.AddScoped<ListWeeklyHealthReportsHandler>();
        builder.AddMessagingRetention<MedicalDbContext>();
        builder.AddRegistryConsumers(bus =>
        {
            bus.AddConsumer<CaseRegisteredConsumer, CaseRegisteredConsumerDefinition>();
            bus.AddConsumer<CaseRegisteredBundleConsumer, CaseRegisteredBundleConsumerDefinition>();
            bus.AddConsumer<CasesMergedConsumer, CasesMergedConsumerDefinition>();
            // Whether an inspection is owed (GC III Art. 31): custody's end of captivity, escapes and recaptures.
            bus.AddConsumer<CaptivityEndedConsumer, CaptivityEndedConsumerDefinition>();
            bus.AddConsumer<PrisonerEscapedConsumer, PrisonerEscapedConsumerDefinition>();
            bus.AddConsumer<PrisonerRecapturedConsumer, PrisonerRecapturedConsumerDefinition>();
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapMedical(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<MedicalGrpcService>();
        app.MapAccessAudit<MedicalDbContext>();
        return app;
    }
}
