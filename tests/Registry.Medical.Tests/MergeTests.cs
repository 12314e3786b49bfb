using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Protos.Medical.V1;
using Registry.Testing;

namespace Registry.Medical.Tests;

/// <summary>
/// Intake's CasesMerged: the survivor's medical record takes the merged record's encounters and conditions, its
/// summary and inspection clock (GC III Art. 31) count from both, and the merged record takes no more encounters.
/// </summary>
public sealed class MergeTests(MedicalFixture medical) : IClassFixture<MedicalFixture>
{
    private static readonly DateTimeOffset CapturedAt = new(2025, 1, 11, 6, 30, 0, TimeSpan.Zero);

    private static CaseRegistered Registered(Guid caseId, string number) => new()
    {
        CaseId = caseId, CaseNumber = number, FamilyName = "백", GivenNames = "광순", CapturedAt = CapturedAt,
        CapturePlace = "Kursk region", CapturingAgency = "UA-SSO", RegisteredAt = CapturedAt.AddHours(2),
    };

    private async Task<Guid> RegisteredAsync(string number)
    {
        var caseId = Guid.NewGuid();
        await medical.Bus.Publisher.Publish(Registered(caseId, number));
        await Eventually.TrueAsync(() => medical.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)), TimeSpan.FromSeconds(30), "the medical record");
        return caseId;
    }

    private async Task<MedicalSummary> SummaryAsync(Guid caseId) =>
        (await medical.Client.GetMedicalSummaryAsync(new GetMedicalSummaryRequest { CaseId = caseId.ToString() })).Summary;

    private async Task<MedicalSummary> MergedAsync(Guid survivor, Guid merged)
    {
        await medical.Bus.Publisher.Publish(new CasesMerged
        {
            SurvivorCaseId = survivor, SurvivorCaseNumber = "RC-X", MergedCaseId = merged, MergedCaseNumber = "RC-Y",
            Reason = "same man", MergedAt = CapturedAt.AddDays(20),
        });
        await Eventually.TrueAsync(async () => (await SummaryAsync(merged)).Status == MedicalStatus.Merged, TimeSpan.FromSeconds(60), "the merge applied");
        return await SummaryAsync(survivor);
    }

    private static RecordEncounterRequest Encounter(Guid caseId, EncounterKind kind, DateTimeOffset at, params ConditionFinding[] findings)
    {
        var request = new RecordEncounterRequest
        {
            RequestId = Guid.NewGuid().ToString(), CaseId = caseId.ToString(), Kind = kind, OccurredAt = Timestamp.FromDateTimeOffset(at),
            Place = "Camp 7 medical unit", Clinician = "military surgeon on duty",
        };
        request.Findings.AddRange(findings);
        return request;
    }

    private static readonly ConditionFinding JawInjury = new()
    {
        Kind = ConditionKind.Injury, Description = "Fragment wounds of the lower face and jaw", BodySite = "face, jaw", Severity = Severity.Severe,
    };

    [Fact]
    public async Task A_survivor_awaiting_examination_takes_the_merged_records_severe_injury_and_its_clock()
    {
        var x = await RegisteredAsync("RC-X");
        var y = await RegisteredAsync("RC-Y");
        var examinedAt = CapturedAt.AddDays(2);
        var injury = (await medical.Client.RecordEncounterAsync(Encounter(y, EncounterKind.IntakeExamination, examinedAt, JawInjury))).Conditions.Single();

        var survivor = await MergedAsync(x, y);

        Assert.Equal((MedicalStatus.UnderTreatment, examinedAt), (survivor.Status, survivor.LastExaminedAt.ToDateTimeOffset()));
        Assert.Equal(examinedAt.AddDays(30), survivor.ExaminationDueBy.ToDateTimeOffset());
        var record = await medical.Client.GetMedicalRecordAsync(new GetMedicalRecordRequest { CaseId = x.ToString() });
        Assert.Equal((injury.ConditionId, Severity.Severe), (record.Conditions.Single().ConditionId, record.Conditions.Single().Severity));
        var encounters = (await medical.Client.ListEncountersAsync(new ListEncountersRequest { CaseId = x.ToString(), PageSize = 10 })).Encounters;
        Assert.Equal([EncounterKind.IntakeExamination], encounters.Select(e => e.Kind));
        var merged = await SummaryAsync(y);
        Assert.Equal((MedicalStatus.Merged, x.ToString()), (merged.Status, merged.MergedIntoCaseId));

        // The intake examination was done under the merged case: the person does not get a second one, and a
        // later inspection on the survivor resolves the carried injury.
        var second = await Assert.ThrowsAsync<RpcException>(() => medical.Client.RecordEncounterAsync(Encounter(x, EncounterKind.IntakeExamination, examinedAt.AddDays(3))).ResponseAsync);
        RpcAssert.RuleViolation(second, "INTAKE_EXAMINATION_DONE", $"cases/{x}");
        var inspection = Encounter(x, EncounterKind.Inspection, examinedAt.AddDays(10));
        inspection.ResolvedConditionIds.Add(injury.ConditionId);
        Assert.Equal(MedicalStatus.Examined, (await medical.Client.RecordEncounterAsync(inspection)).Summary.Status);
    }

    [Fact]
    public async Task With_no_examination_on_either_the_earlier_inspection_due_date_stands()
    {
        var y = await RegisteredAsync("RC-Y");
        await Task.Delay(50);
        var x = await RegisteredAsync("RC-X");
        var yDue = (await SummaryAsync(y)).ExaminationDueBy.ToDateTimeOffset();
        Assert.True(yDue < (await SummaryAsync(x)).ExaminationDueBy.ToDateTimeOffset());

        var survivor = await MergedAsync(x, y);

        Assert.Equal((MedicalStatus.AwaitingExamination, yDue), (survivor.Status, survivor.ExaminationDueBy.ToDateTimeOffset()));
    }

    [Fact]
    public async Task A_merged_record_takes_no_more_encounters_and_names_the_survivor()
    {
        var x = await RegisteredAsync("RC-X");
        var y = await RegisteredAsync("RC-Y");
        await MergedAsync(x, y);

        var refused = await Assert.ThrowsAsync<RpcException>(() => medical.Client.RecordEncounterAsync(Encounter(y, EncounterKind.Treatment, CapturedAt.AddDays(21))).ResponseAsync);

        RpcAssert.RuleViolation(refused, "CASE_MERGED", $"cases/{y}");
        Assert.Contains(x.ToString(), refused.Status.Detail);
        Assert.Empty(await medical.QueryAsync(db => db.Encounters.Where(e => e.CaseId == y || e.CaseId == x).ToListAsync()));
    }
}
