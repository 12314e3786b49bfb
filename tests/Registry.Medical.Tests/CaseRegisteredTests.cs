using Google.Rpc;
using Grpc.Core;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.Medical.Tests;

public sealed class CaseRegisteredTests(MedicalFixture medical) : IClassFixture<MedicalFixture>
{
    private static CaseRegistered Registered(Guid caseId) => new()
    {
        CaseId = caseId,
        CaseNumber = "RC-000018",
        FamilyName = "백",
        GivenNames = "",
        CapturedAt = new DateTimeOffset(2025, 1, 11, 6, 30, 0, TimeSpan.Zero),
        CapturePlace = "Kursk region",
        CapturingAgency = "UA-SSO",
        RegisteredAt = new DateTimeOffset(2025, 1, 11, 8, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public async Task A_registered_case_gets_a_medical_record_with_an_inspection_due_within_a_month()
    {
        var caseId = Guid.NewGuid();

        await medical.Bus.Publisher.Publish(Registered(caseId));

        var summary = await Eventually.GetAsync(() => TryGetAsync(caseId), TimeSpan.FromSeconds(30), "the medical record");
        Assert.Equal(MedicalStatus.AwaitingExamination, summary.Status);
        Assert.Equal(TimeSpan.FromDays(30), summary.ExaminationDueBy.ToDateTimeOffset() - summary.OpenedAt.ToDateTimeOffset());
    }

    [Fact]
    public async Task A_redelivered_message_is_applied_once()
    {
        var messageId = NewId.NextGuid();
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();

        await medical.Bus.Publisher.Publish(Registered(first), c => c.MessageId = messageId);
        await Eventually.GetAsync(() => TryGetAsync(first), TimeSpan.FromSeconds(30), "the first delivery applied");
        await medical.Bus.Publisher.Publish(Registered(second), c => c.MessageId = messageId);
        var marker = Guid.NewGuid();
        await medical.Bus.Publisher.Publish(Registered(marker));
        await Eventually.GetAsync(() => TryGetAsync(marker), TimeSpan.FromSeconds(30), "a later message applied");

        Assert.Null(await TryGetAsync(second));
        Assert.Equal(1, await medical.QueryAsync(db => db.InboxMessages.CountAsync(m => m.MessageId == messageId)));
    }

    [Fact]
    public async Task An_unknown_case_has_no_medical_summary()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            medical.Client.GetMedicalSummaryAsync(new GetMedicalSummaryRequest { CaseId = Guid.NewGuid().ToString() }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task An_intake_officer_reads_the_health_summary_of_its_own_agencys_captures_only()
    {
        var caseId = Guid.NewGuid();
        await medical.Bus.Publisher.Publish(Registered(caseId));
        await Eventually.GetAsync(() => TryGetAsync(caseId), TimeSpan.FromSeconds(30), "the medical record");
        var request = new GetMedicalSummaryRequest { CaseId = caseId.ToString() };

        // The capturing agency's own record (CaseRegistered's capturing_agency, kept on the record).
        Assert.Equal("UA-SSO", await medical.QueryAsync(db => db.Records.Where(r => r.CaseId == caseId).Select(r => r.CapturingAgency).SingleAsync()));
        var own = new MedicalService.MedicalServiceClient(medical.Service.As("UA-SSO", RegistryRoles.IntakeOfficer));
        Assert.Equal(MedicalStatus.AwaitingExamination, (await own.GetMedicalSummaryAsync(request)).Summary.Status);

        // Another agency's intake officer learns nothing of this person's health, and the refusal is audited.
        var other = new MedicalService.MedicalServiceClient(medical.Service.As("UA-AF", RegistryRoles.IntakeOfficer));
        var refused = await Assert.ThrowsAsync<RpcException>(() => other.GetMedicalSummaryAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal("NOT_OWN_AGENCY", refused.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        await Eventually.TrueAsync(() => medical.QueryAsync(db => db.AccessEvents.AnyAsync(e =>
                e.Method.EndsWith("/GetMedicalSummary") && e.Agency == "UA-AF" && e.Outcome == "PERMISSION_DENIED" && e.CaseIds.Contains(caseId))),
            TimeSpan.FromSeconds(30), "the refusal audited");

        // The roles that read every case's summary still do, whatever their agency.
        var custodian = new MedicalService.MedicalServiceClient(medical.Service.As("UA-AF", RegistryRoles.Custodian));
        Assert.Equal(MedicalStatus.AwaitingExamination, (await custodian.GetMedicalSummaryAsync(request)).Summary.Status);
    }

    [Fact]
    public async Task A_record_opened_before_the_capturing_agency_was_kept_is_refused_to_an_intake_officer_and_says_why()
    {
        // As the migration leaves a record opened earlier: no capturing agency.
        var caseId = Guid.NewGuid();
        await medical.QueryAsync(async db =>
        {
            db.Records.Add(Registry.Medical.Domain.MedicalRecord.Open(caseId, "RC-000019", DateTimeOffset.UtcNow));
            return await db.SaveChangesAsync();
        });
        var request = new GetMedicalSummaryRequest { CaseId = caseId.ToString() };

        var officer = new MedicalService.MedicalServiceClient(medical.Service.As("UA-SSO", RegistryRoles.IntakeOfficer));
        var refused = await Assert.ThrowsAsync<RpcException>(() => officer.GetMedicalSummaryAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal("NOT_OWN_AGENCY", refused.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Contains("does not know which agency", refused.Status.Detail);

        var custodian = new MedicalService.MedicalServiceClient(medical.Service.As("UA-SSO", RegistryRoles.Custodian));
        Assert.Equal(MedicalStatus.AwaitingExamination, (await custodian.GetMedicalSummaryAsync(request)).Summary.Status);
    }

    private async Task<MedicalSummary?> TryGetAsync(Guid caseId)
    {
        try
        {
            return (await medical.Client.GetMedicalSummaryAsync(new GetMedicalSummaryRequest { CaseId = caseId.ToString() })).Summary;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }
}
