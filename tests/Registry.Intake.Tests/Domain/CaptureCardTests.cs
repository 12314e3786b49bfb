using Registry.Intake.Domain;
using Registry.ServiceDefaults.Domain;

namespace Registry.Intake.Tests.Domain;

/// <summary>The capture card's clock (GC III Art. 70, Annex IV), without a database.</summary>
public sealed class CaptureCardTests
{
    private static readonly DateTimeOffset Now = Aggregates.Captured.AddHours(2);

    [Fact]
    public void A_card_is_due_a_week_after_the_event_that_makes_it_owed()
    {
        var c = Aggregates.NewCase();

        var card = CaptureCard.Owed(c, CaptureCardReason.Transfer, Now, Now);

        Assert.Equal((c.CaseId, CaptureCardReason.Transfer, Now, Now.AddDays(7)), (card.CaseId, card.Reason, card.OccurredAt, card.DueAt));
        Assert.Null(card.IssuedAt);
    }

    [Fact]
    public void The_admission_card_counts_its_week_from_the_arrival_once_custody_reports_it()
    {
        var card = CaptureCard.Owed(Aggregates.NewCase(), CaptureCardReason.Admission, Now, Now);
        var arrival = Now.AddDays(3);

        card.RebaseTo(arrival);

        Assert.Equal((arrival, arrival.AddDays(7)), (card.OccurredAt, card.DueAt));
    }

    [Fact]
    public void An_issued_card_is_fixed_it_cannot_be_issued_again_or_its_clock_moved()
    {
        var c = Aggregates.NewCase();
        var card = CaptureCard.Owed(c, CaptureCardReason.Admission, Now, Now);
        c.IssueCaptureCard(card, "{}", Now.AddDays(1));

        Assert.Equal("CAPTURE_CARD_ISSUED", Assert.Throws<RuleViolationException>(() => card.Issue("{\"x\":1}", Now.AddDays(2))).Reason);
        Assert.Equal("CAPTURE_CARD_ISSUED", Assert.Throws<RuleViolationException>(() => card.RebaseTo(Now.AddDays(2))).Reason);
        Assert.Equal(("{}", Now.AddDays(1), Now.AddDays(7)), (card.Content, card.IssuedAt, card.DueAt));
    }

    [Fact]
    public void A_case_owing_no_card_cannot_issue_one()
    {
        var c = Aggregates.NewCase();
        var others = CaptureCard.Owed(Aggregates.NewCase(), CaptureCardReason.Admission, Now, Now);

        Assert.Equal("NO_CAPTURE_CARD_DUE", Assert.Throws<RuleViolationException>(() => c.IssueCaptureCard(null, "{}", Now)).Reason);
        Assert.Equal("NO_CAPTURE_CARD_DUE", Assert.Throws<RuleViolationException>(() => c.IssueCaptureCard(others, "{}", Now)).Reason);
        Assert.Null(others.IssuedAt);
    }

    [Fact]
    public void A_merged_case_issues_no_card_the_survivors_stands_for_the_person()
    {
        var survivor = Aggregates.NewCase();
        var merged = Aggregates.NewCase();
        var card = CaptureCard.Owed(merged, CaptureCardReason.Admission, Now, Now);
        merged.MergeInto(survivor, Now);

        var refused = Assert.Throws<RuleViolationException>(() => merged.IssueCaptureCard(card, "{}", Now));

        Assert.Equal(("CASE_MERGED", $"cases/{merged.CaseId}"), (refused.Reason, refused.Subject));
        Assert.Null(card.IssuedAt);
    }

    [Fact]
    public void A_withdrawn_card_keeps_the_time_it_was_first_withdrawn()
    {
        var card = CaptureCard.Owed(Aggregates.NewCase(), CaptureCardReason.Admission, Now, Now);

        card.Withdraw(Now.AddDays(1));
        card.Withdraw(Now.AddDays(2));

        Assert.Equal(Now.AddDays(1), card.WithdrawnAt);
    }

    [Theory]
    [InlineData(-1, null, false)] // not yet due
    [InlineData(1, null, true)] // due and not done
    [InlineData(1, -2, false)] // done before it was due
    [InlineData(1, 2, true)] // done, but late at the time asked about
    public void Something_is_overdue_when_past_due_and_not_done_by_then(int asOfDaysAfterDue, int? doneDaysAfterDue, bool overdue)
    {
        var due = Now.AddDays(7);

        Assert.Equal(overdue, Deadlines.IsOverdue(due, doneDaysAfterDue is { } d ? due.AddDays(d) : null, due.AddDays(asOfDaysAfterDue)));
    }

    [Fact]
    public void A_notification_to_the_icrc_is_due_within_48_hours()
    {
        var n = IcrcNotification.Raise(Aggregates.NewCase(), NotificationKind.Registration, "s", "{}", Now);

        Assert.Equal((Now, Now.AddHours(48)), (n.CreatedAt, n.DueAt));
        Assert.Null(n.Sequence);
    }
}
