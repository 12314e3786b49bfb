using MassTransit;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Intake.Domain;
using Registry.Testing;
using NotificationKind = Registry.Intake.Domain.NotificationKind;

namespace Registry.Intake.Tests;

/// <summary>Custody's ends of captivity, escapes and recaptures reach the ICRC feed (GC III Art. 122) and the capture-card clock (Art. 70).</summary>
public sealed class CustodyLifecycleFeedTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    private static readonly DateTimeOffset At = new(2025, 2, 10, 9, 0, 0, TimeSpan.Zero);

    private Task<List<IcrcNotification>> NotificationsAsync(Guid caseId, NotificationKind kind) =>
        intake.QueryAsync(db => db.Notifications.Where(n => n.CaseId == caseId && n.Kind == kind).ToListAsync());

    private async Task<IcrcNotification> OneAsync(Guid caseId, NotificationKind kind)
    {
        await Eventually.TrueAsync(async () => (await NotificationsAsync(caseId, kind)).Count > 0, TimeSpan.FromSeconds(30), $"the {kind} notification");
        return Assert.Single(await NotificationsAsync(caseId, kind));
    }

    [Fact]
    public async Task A_release_is_notified_once_and_withdraws_the_capture_card_still_owed()
    {
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var caseId = Guid.Parse(registered.CaseId);
        var ended = new CaptivityEnded { CaseId = caseId, EndedAt = At, Way = "RELEASED", Detail = "released on parole (GC III Art. 21)" };
        var messageId = NewId.NextGuid();

        await intake.Bus.Publisher.Publish(ended, c => c.MessageId = messageId);
        await intake.Bus.Publisher.Publish(ended, c => c.MessageId = messageId); // a redelivery

        var notification = await OneAsync(caseId, NotificationKind.EndOfCaptivity);
        await Task.Delay(500); // the redelivery's chance to (wrongly) raise a second one
        Assert.Single(await NotificationsAsync(caseId, NotificationKind.EndOfCaptivity));
        Assert.StartsWith($"Released: ", notification.Summary);
        Assert.Contains(registered.CaseNumber, notification.Summary);
        Assert.Contains("on 2025-02-10", notification.Summary);
        Assert.Contains("parole (GC III Art. 21)", notification.Summary);
        var card = await intake.QueryAsync(db => db.CaptureCards.SingleAsync(c => c.CaseId == caseId));
        Assert.NotNull(card.WithdrawnAt);
    }

    [Fact]
    public async Task A_repatriation_names_the_state_the_person_went_to()
    {
        var caseId = Guid.Parse((await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case.CaseId);

        await intake.Bus.Publisher.Publish(new CaptivityEnded { CaseId = caseId, EndedAt = At, Way = "REPATRIATED", ToState = "KP" });

        var notification = await OneAsync(caseId, NotificationKind.EndOfCaptivity);
        Assert.StartsWith("Repatriated: ", notification.Summary);
        Assert.Contains("on 2025-02-10 to KP.", notification.Summary);
    }

    [Fact]
    public async Task An_escape_is_notified_and_a_recapture_owes_a_new_capture_card()
    {
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var caseId = Guid.Parse(registered.CaseId);

        await intake.Bus.Publisher.Publish(new PrisonerEscaped { CaseId = caseId, EscapedAt = At, From = "SBU detention facility, Kyiv, UA" });
        var escape = await OneAsync(caseId, NotificationKind.Escape);
        Assert.Contains("Escaped: ", escape.Summary);
        Assert.Contains("on 2025-02-10 from SBU detention facility, Kyiv, UA", escape.Summary);
        Assert.Equal(1, await intake.QueryAsync(db => db.CaptureCards.CountAsync(c => c.CaseId == caseId)));

        await intake.Bus.Publisher.Publish(new PrisonerRecaptured
        {
            CaseId = caseId, RecapturedAt = At.AddDays(2), Facility = "POW camp No. 1", Locality = "Lviv region", Country = "UA", CustodianAgency = "UA-SBU",
        });
        var recapture = await OneAsync(caseId, NotificationKind.Recapture);
        Assert.Contains("held at POW camp No. 1, Lviv region, UA by UA-SBU", recapture.Summary);
        var cards = await intake.QueryAsync(db => db.CaptureCards.Where(c => c.CaseId == caseId).ToListAsync());
        Assert.Equal(2, cards.Count);
        var owed = Assert.Single(cards, c => c.Reason == CaptureCardReason.Transfer);
        Assert.Equal(At.AddDays(2).AddDays(7), owed.DueAt);
    }

    [Fact]
    public void The_notification_kinds_cast_to_the_contract_value_of_the_same_name() =>
        ContractChecks.AssertAligned<NotificationKind, Registry.Protos.Intake.V1.NotificationKind>();
}
