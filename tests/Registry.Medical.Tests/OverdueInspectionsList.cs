using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Medical.Data;
using Registry.Medical.Grpc;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Data;
using Registry.Testing;

namespace Registry.Medical.Tests;

/// <summary>
/// ListOverdueInspections (GC III Art. 31) on either store: the inspections past due at a moment, oldest due first, page by
/// page with ties on the due time (one day's inspections of a whole facility) neither skipped nor repeated; the records that
/// owe none (released) left out; bad input refused by field.
/// </summary>
public static class OverdueInspectionsList
{
    public static async Task WalkAsync(ServiceFixture<MedicalGrpcService, MedicalDbContext> medical, MedicalService.MedicalServiceClient client)
    {
        var cases = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToList();
        var capturedAt = DateTimeOffset.UtcNow.AddDays(-3).ToMicroseconds();
        foreach (var caseId in cases)
        {
            await medical.Bus.Publisher.Publish(new CaseRegistered
            {
                CaseId = caseId, CaseNumber = "RC-" + caseId.ToString("N")[..6], FamilyName = "Pak", GivenNames = "Chol",
                CapturedAt = capturedAt, CapturePlace = "Kursk region", CapturingAgency = "UA-SSO", RegisteredAt = capturedAt,
            });
        }

        await Eventually.TrueAsync(() => medical.QueryAsync(db => db.Records.CountAsync(r => cases.Contains(r.CaseId))).ContinueWith(t => t.Result == cases.Count),
            TimeSpan.FromSeconds(30), "the medical records to open");

        // One facility's inspections on one day: the same due time for three of them, the fourth inspected a day later.
        var inspectedAt = capturedAt.AddDays(1);
        await client.RecordInspectionsAsync(Batch(inspectedAt, cases[..3]));
        await client.RecordInspectionsAsync(Batch(inspectedAt.AddDays(1), cases[3..]));
        var released = cases[1];
        await medical.Bus.Publisher.Publish(new CaptivityEnded { CaseId = released, EndedAt = DateTimeOffset.UtcNow, Way = "RELEASED" });
        await Eventually.TrueAsync(() => medical.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == released && r.CaptivityEndedAt != null)),
            TimeSpan.FromSeconds(30), "the end of captivity applied");

        var asOf = inspectedAt.AddDays(40);
        var listed = new List<OverdueInspection>();
        var token = "";
        do
        {
            var page = await client.ListOverdueInspectionsAsync(new ListOverdueInspectionsRequest { AsOf = Timestamp.FromDateTimeOffset(asOf), PageSize = 1, PageToken = token });
            Assert.True(page.Items.Count <= 1);
            Assert.Equal(asOf, page.AsOf.ToDateTimeOffset());
            listed.AddRange(page.Items);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        var ours = listed.Where(i => cases.Contains(Guid.Parse(i.CaseId))).ToList();
        var owed = cases.Where(c => c != released).ToList();
        Assert.Equal(owed.Order(), ours.Select(i => Guid.Parse(i.CaseId)).Order());
        Assert.Equal(ours.Count, ours.Select(i => i.CaseId).Distinct().Count());
        Assert.Equal(listed.OrderBy(i => i.DueAt.ToDateTimeOffset()).Select(i => i.CaseId), listed.Select(i => i.CaseId));
        var last = ours[^1];
        Assert.Equal(cases[3].ToString(), last.CaseId);
        Assert.Equal(inspectedAt.AddDays(31), last.DueAt.ToDateTimeOffset());
        Assert.Equal(TimeSpan.FromDays(9), last.OverdueBy.ToTimeSpan());
        Assert.Equal(inspectedAt.AddDays(1), last.LastExaminedAt.ToDateTimeOffset());
        Assert.Equal("RC-" + cases[3].ToString("N")[..6], last.CaseNumber);

        // Before any of them fell due: none of ours.
        var early = await client.ListOverdueInspectionsAsync(new ListOverdueInspectionsRequest { AsOf = Timestamp.FromDateTimeOffset(inspectedAt.AddDays(29)), PageSize = 500 });
        Assert.DoesNotContain(early.Items, i => cases.Contains(Guid.Parse(i.CaseId)));

        // Bad input: every bad field named at once.
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.ListOverdueInspectionsAsync(new ListOverdueInspectionsRequest
        {
            AsOf = new Timestamp { Seconds = 253402300800 }, PageSize = 501, PageToken = "not-a-token",
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal(["as_of", "page_size", "page_token"], refused.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations.Select(v => v.Field).Order());
    }

    private static RecordInspectionsRequest Batch(DateTimeOffset at, IEnumerable<Guid> cases) => new()
    {
        RequestId = Guid.NewGuid().ToString(), Place = "Camp 7 medical unit", Clinician = "camp physician", OccurredAt = Timestamp.FromDateTimeOffset(at),
        Inspections = { cases.Select(c => new PersonInspection { CaseId = c.ToString() }) },
    };
}

/// <summary>ListOverdueInspections on PostgreSQL (a class of its own: InspectionsOwedTests counts every record of its database).</summary>
public sealed class OverdueInspectionsListTests(MedicalFixture medical) : IClassFixture<MedicalFixture>
{
    [Fact]
    public Task The_overdue_inspections_are_listed_oldest_due_first_page_by_page() => OverdueInspectionsList.WalkAsync(medical, medical.Client);
}
