using Google.Protobuf.WellKnownTypes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Protos.Intake.V1;
using Registry.Testing;

namespace Registry.Intake.Tests;

/// <summary>
/// Custody's admissions set the capture card's clock; its transfers and medical's hospitalisations make a
/// card due again. Each reaches the ICRC's feed.
/// </summary>
public sealed class CaptureCardEventTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    private async Task<List<OverdueItem>> OverdueCardsAsync(string caseId, DateTimeOffset asOf) =>
        (await intake.Client.ListOverdueAsync(new ListOverdueRequest { AsOf = Timestamp.FromDateTimeOffset(asOf), PageSize = 500 }))
            .Items.Where(i => i.CaseId == caseId && i.Kind == OverdueKind.CaptureCard).ToList();

    [Fact]
    public async Task The_admission_capture_card_is_due_a_week_after_arrival_not_after_registration()
    {
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.SniperInFull())).Case;
        var caseId = Guid.Parse(registered.CaseId);
        var registeredAt = registered.RegisteredAt.ToDateTimeOffset();
        // Registration opens the clock provisionally: a week after registration the card would be late.
        Assert.Single(await OverdueCardsAsync(registered.CaseId, registeredAt.AddDays(7).AddHours(1)));

        // The person reaches the place of internment three days after being registered.
        var admittedAt = registeredAt.AddDays(3);
        var admitted = new CustodyAdmitted
        {
            CaseId = caseId, AdmittedAt = admittedAt, Facility = "SBU detention facility", Locality = "Kyiv", Country = "UA", CustodianAgency = "UA-SBU",
        };
        var messageId = NewId.NextGuid();
        await intake.Bus.Publisher.Publish(admitted, c => c.MessageId = messageId);
        await intake.Bus.Publisher.Publish(admitted, c => c.MessageId = messageId); // a redelivery

        await Eventually.TrueAsync(() => intake.QueryAsync(db => db.Notifications.AnyAsync(n => n.CaseId == caseId && n.Kind == Registry.Intake.Domain.NotificationKind.Admission)),
            TimeSpan.FromSeconds(30), "the admission's notification");
        await Task.Delay(500); // give the redelivery its chance to (wrongly) raise a second notification
        Assert.Empty(await OverdueCardsAsync(registered.CaseId, registeredAt.AddDays(7).AddHours(1)));
        var late = Assert.Single(await OverdueCardsAsync(registered.CaseId, admittedAt.AddDays(7).AddHours(1)));
        Assert.Equal("admission", late.Reason);
        var notification = await intake.QueryAsync(db => db.Notifications.SingleAsync(n => n.CaseId == caseId && n.Kind == Registry.Intake.Domain.NotificationKind.Admission));
        Assert.Contains("SBU detention facility, Kyiv, UA", notification.Summary);
    }

    [Fact]
    public async Task An_admission_after_the_card_was_issued_leaves_the_card_as_issued()
    {
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var caseId = Guid.Parse(registered.CaseId);
        var issued = (await intake.Client.IssueCaptureCardAsync(new IssueCaptureCardRequest { CaseId = registered.CaseId })).CaptureCard;

        await intake.Bus.Publisher.Publish(new CustodyAdmitted
        {
            CaseId = caseId, AdmittedAt = DateTimeOffset.UtcNow, Facility = "SBU detention facility", CustodianAgency = "UA-SBU",
        });

        await Eventually.TrueAsync(() => intake.QueryAsync(db => db.Notifications.AnyAsync(n => n.CaseId == caseId && n.Kind == Registry.Intake.Domain.NotificationKind.Admission)),
            TimeSpan.FromSeconds(30), "the admission's notification");
        var card = await intake.QueryAsync(db => db.CaptureCards.SingleAsync(c => c.CaseId == caseId));
        Assert.Equal(issued.DueAt.ToDateTimeOffset(), card.DueAt);
        Assert.NotNull(card.IssuedAt);
    }

    [Fact]
    public async Task A_transfer_makes_a_new_capture_card_due_a_week_later_once_however_often_it_is_delivered()
    {
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.SniperInFull())).Case;
        await intake.Client.IssueCaptureCardAsync(new IssueCaptureCardRequest { CaseId = registered.CaseId });
        var transferredAt = DateTimeOffset.UtcNow.AddDays(1);
        var transfer = new CustodyTransferred { CaseId = Guid.Parse(registered.CaseId), TransferredAt = transferredAt, FromFacility = "SBU, Kyiv", ToFacility = "POW camp, Lviv region" };
        var messageId = NewId.NextGuid();

        await intake.Bus.Publisher.Publish(transfer, c => c.MessageId = messageId);
        await intake.Bus.Publisher.Publish(transfer, c => c.MessageId = messageId); // a redelivery

        var caseId = Guid.Parse(registered.CaseId);
        await Eventually.TrueAsync(() => intake.QueryAsync(db => db.CaptureCards.AnyAsync(c => c.CaseId == caseId && c.Reason == Registry.Intake.Domain.CaptureCardReason.Transfer)),
            TimeSpan.FromSeconds(30), "the transfer's capture card");
        await Task.Delay(500); // give the redelivery its chance to (wrongly) add a second card
        var late = Assert.Single(await OverdueCardsAsync(registered.CaseId, transferredAt.AddDays(7).AddHours(2)));
        Assert.Equal("transfer", late.Reason);
        Assert.Empty(await OverdueCardsAsync(registered.CaseId, transferredAt.AddDays(6)));
        Assert.Equal(1, await intake.QueryAsync(db => db.Notifications.CountAsync(n => n.CaseId == caseId && n.Kind == Registry.Intake.Domain.NotificationKind.Transfer)));
    }

    [Fact]
    public async Task A_hospitalisation_of_a_merged_case_is_owed_on_the_survivor()
    {
        var survivor = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var duplicate = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        await intake.Client.MergeCasesAsync(new MergeCasesRequest
        {
            SurvivorCaseId = survivor.CaseId, SurvivorRevision = survivor.Revision, MergedCaseId = duplicate.CaseId, MergedRevision = duplicate.Revision, Reason = "same man",
        });

        await intake.Bus.Publisher.Publish(new PatientHospitalised { CaseId = Guid.Parse(duplicate.CaseId), HospitalisedAt = DateTimeOffset.UtcNow, Hospital = "Military hospital, Kyiv" });

        var survivorId = Guid.Parse(survivor.CaseId);
        await Eventually.TrueAsync(() => intake.QueryAsync(db => db.CaptureCards.AnyAsync(c => c.CaseId == survivorId && c.Reason == Registry.Intake.Domain.CaptureCardReason.Hospitalisation)),
            TimeSpan.FromSeconds(30), "the hospitalisation's capture card on the survivor");
        Assert.Contains(await OverdueCardsAsync(survivor.CaseId, DateTimeOffset.UtcNow.AddDays(8)), i => i.Reason == "hospitalisation");
    }
}
