using Google.Protobuf.WellKnownTypes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Protos.Intake.V1;
using Registry.Testing;
using NotificationKind = Registry.Intake.Domain.NotificationKind;

namespace Registry.Intake.Tests;

/// <summary>Medical's DeathRecorded: one ICRC notification of the death (GC III Art. 120, 122), on the case that answers for the person.</summary>
public sealed class DeathNotificationTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    private static DeathRecorded Death(string caseId, string? enquiry = "RC-000002/ENQ-1") => new()
    {
        CaseId = Guid.Parse(caseId),
        DiedAt = new DateTimeOffset(2025, 2, 3, 4, 15, 0, TimeSpan.Zero),
        Place = "Military hospital No. 1, Kyiv",
        Cause = "Sepsis following fragment wounds of the face and jaw",
        CertificateNumber = "DC-2025-0042",
        CertificateIssuedBy = "Maj. O. Kovalenko, chief surgeon",
        CertificateIssuedAt = new DateTimeOffset(2025, 2, 3, 10, 0, 0, TimeSpan.Zero),
        EnquiryReference = enquiry,
    };

    private Task<int> DeathNotificationsAsync(Guid caseId) =>
        intake.QueryAsync(db => db.Notifications.CountAsync(n => n.CaseId == caseId && n.Kind == NotificationKind.Death));

    [Fact]
    public async Task A_death_delivered_twice_is_notified_once_with_what_the_certificate_says_and_withdraws_the_capture_card_owed()
    {
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.SniperInFull())).Case;
        var caseId = Guid.Parse(registered.CaseId);
        var messageId = NewId.NextGuid();

        await intake.Bus.Publisher.Publish(Death(registered.CaseId), c => c.MessageId = messageId);
        await intake.Bus.Publisher.Publish(Death(registered.CaseId), c => c.MessageId = messageId); // a redelivery

        await Eventually.TrueAsync(async () => await DeathNotificationsAsync(caseId) > 0, TimeSpan.FromSeconds(30), "the death's notification");
        await Task.Delay(500); // give the redelivery its chance to (wrongly) raise a second notification
        Assert.Equal(1, await DeathNotificationsAsync(caseId));
        var notification = await intake.QueryAsync(db => db.Notifications.SingleAsync(n => n.CaseId == caseId && n.Kind == NotificationKind.Death));
        Assert.Contains(registered.CaseNumber, notification.Summary);
        Assert.Contains("on 2025-02-03 at Military hospital No. 1, Kyiv", notification.Summary);
        Assert.Contains("Cause of death as certified: Sepsis following fragment wounds of the face and jaw", notification.Summary);
        Assert.Contains("death certificate DC-2025-0042, Maj. O. Kovalenko, chief surgeon, 2025-02-03", notification.Summary);
        Assert.Contains("reference RC-000002/ENQ-1", notification.Summary);
        Assert.Equal(notification.CreatedAt.AddHours(48), notification.DueAt);

        // The admission card registration made owed is withdrawn: a dead person writes no card; the notification stands for it.
        var card = await intake.QueryAsync(db => db.CaptureCards.SingleAsync(c => c.CaseId == caseId));
        Assert.NotNull(card.WithdrawnAt);
        var overdue = await intake.Client.ListOverdueAsync(new ListOverdueRequest { AsOf = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(30)), PageSize = 500 });
        Assert.DoesNotContain(overdue.Items, i => i.CaseId == registered.CaseId && i.Kind == OverdueKind.CaptureCard);
        Assert.Contains(overdue.Items, i => i.CaseId == registered.CaseId && i.Kind == OverdueKind.Notification && i.Reason == nameof(NotificationKind.Death));
    }

    [Fact]
    public async Task The_death_of_a_merged_case_is_notified_on_the_survivor()
    {
        var survivor = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var duplicate = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        await intake.Client.MergeCasesAsync(new MergeCasesRequest
        {
            SurvivorCaseId = survivor.CaseId, SurvivorRevision = survivor.Revision, MergedCaseId = duplicate.CaseId, MergedRevision = duplicate.Revision, Reason = "same man",
        });

        await intake.Bus.Publisher.Publish(Death(duplicate.CaseId, enquiry: null));

        var survivorId = Guid.Parse(survivor.CaseId);
        await Eventually.TrueAsync(async () => await DeathNotificationsAsync(survivorId) > 0, TimeSpan.FromSeconds(30), "the death's notification on the survivor");
        Assert.Equal(0, await DeathNotificationsAsync(Guid.Parse(duplicate.CaseId)));
        var summary = await intake.QueryAsync(db => db.Notifications.Where(n => n.CaseId == survivorId && n.Kind == NotificationKind.Death).Select(n => n.Summary).SingleAsync());
        Assert.DoesNotContain("enquiry", summary);
    }

    [Fact]
    public async Task A_death_whose_texts_fill_every_field_is_notified_within_the_summarys_length()
    {
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var death = Death(registered.CaseId) with
        {
            Place = new string('p', 200), Cause = new string('c', 500), CertificateNumber = new string('9', 64), CertificateIssuedBy = new string('b', 200),
        };

        await intake.Bus.Publisher.Publish(death);

        var caseId = Guid.Parse(registered.CaseId);
        await Eventually.TrueAsync(async () => await DeathNotificationsAsync(caseId) > 0, TimeSpan.FromSeconds(30), "the death's notification");
        var summary = await intake.QueryAsync(db => db.Notifications.Where(n => n.CaseId == caseId && n.Kind == NotificationKind.Death).Select(n => n.Summary).SingleAsync());
        Assert.Equal(Registry.Intake.Domain.IcrcNotification.SummaryMaxLength, summary.Length);
        Assert.EndsWith("…", summary);
    }

    [Fact]
    public void The_notification_kinds_cast_to_the_contract_value_of_the_same_name() =>
        ContractChecks.AssertAligned<NotificationKind, Registry.Protos.Intake.V1.NotificationKind>();
}
