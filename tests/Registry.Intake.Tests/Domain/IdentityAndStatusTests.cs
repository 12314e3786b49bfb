using Registry.Intake.Domain;

namespace Registry.Intake.Tests.Domain;

/// <summary>Identity assertions and their revisions (GC III Art. 17), and status decisions (Art. 5), without a database.</summary>
public sealed class IdentityAndStatusTests
{
    private static readonly DateTimeOffset Now = Aggregates.Captured.AddDays(1);
    private static readonly AssertionSource Card = new(SourceKind.Document, "military identity card", "AB-1", null, null);

    [Fact]
    public void Registration_opens_the_case_at_revision_0_with_the_capture_as_given()
    {
        var c = Aggregates.NewCase(registeredAt: Now, agency: "UA-SSO");

        Assert.Equal((0L, Now, Now, Aggregates.Captured, "UA-SSO", false), (c.Revision, c.RegisteredAt, c.UpdatedAt, c.CapturedAt, c.CapturingAgency, c.IsMerged));
        Assert.NotEqual(Guid.Empty, c.CaseId);
    }

    [Fact]
    public void Every_assertion_makes_a_new_revision_and_names_its_source_and_obligation()
    {
        var c = Aggregates.NewCase();

        var made = c.Assert(new Dictionary<string, string?> { ["service_number"] = "KPA-1", ["languages"] = "ko" }, Card, Now);

        Assert.Equal(1, c.Revision);
        Assert.Equal(Now, c.UpdatedAt);
        Assert.Equal([("service_number", "KPA-1", true), ("languages", "ko", false)], made.Select(a => (a.Field, a.Value!, a.RequiredByArticle17)));
        Assert.All(made, a => Assert.Equal((c.CaseId, 1L, Card, Now), (a.CaseId, a.Revision, a.Source, a.AssertedAt)));
        Assert.Equal("KPA1", c.ServiceNumberKey);
    }

    [Fact]
    public void Asserting_unknown_clears_the_fact_but_keeps_the_claim()
    {
        var c = Aggregates.NewCase();
        c.Assert(new Dictionary<string, string?> { ["rank"] = "Sergeant" }, Card, Now);

        var made = c.Assert(new Dictionary<string, string?> { ["rank"] = null }, AssertionSource.Unrecorded, Now);

        Assert.Null(c.Identity.Rank);
        Assert.Equal((2L, (string?)null), (made[0].Revision, made[0].Value));
    }

    [Fact]
    public void An_assertion_may_not_leave_the_person_without_a_name_nor_born_after_the_capture()
    {
        var c = Aggregates.NewCase();
        c.Assert(new Dictionary<string, string?> { ["family_name_latin"] = "Kim" }, Card, Now);

        var problems = c.CheckAssertion(new Dictionary<string, string?> { ["family_name_latin"] = null, ["date_of_birth"] = "2027" }).ToList();

        Assert.Equal(["family_name", "date_of_birth"], problems.Select(p => p.Field));
        Assert.Empty(c.CheckAssertion(new Dictionary<string, string?> { ["family_name_latin"] = "Ri", ["date_of_birth"] = "2001" }));
    }

    [Fact]
    public void Only_fields_of_the_catalogue_can_be_asserted()
    {
        var c = Aggregates.NewCase();

        Assert.Throws<ArgumentException>(() => c.Assert(new Dictionary<string, string?> { ["shoe_size"] = "44" }, Card, Now));
    }

    [Fact]
    public void The_first_status_is_the_capturing_agencys_and_has_no_previous_one()
    {
        var c = Aggregates.NewCase(agency: "UA-SSO");

        var first = c.InitialStatus(StatusCategory.PendingDetermination, Now);

        Assert.Equal(((StatusCategory?)null, StatusCategory.PendingDetermination, "registration", "UA-SSO"), (first.From, first.To, first.DecisionReference, first.DecidedBy));
        Assert.Equal(StatusCategory.PendingDetermination, c.StatusCategory);
    }

    [Fact]
    public void A_status_decision_records_where_the_case_came_from_and_makes_a_new_revision()
    {
        var c = Aggregates.NewCase();
        c.InitialStatus(StatusCategory.PendingDetermination, Now);
        var decidedAt = Now.AddDays(-1);

        var change = c.ChangeStatus(StatusCategory.PrisonerOfWar, "T-17/2026", "Art. 5 tribunal, Kyiv", decidedAt, Now);

        Assert.Equal((StatusCategory.PendingDetermination, StatusCategory.PrisonerOfWar, decidedAt, Now, 1L),
            (change.From!.Value, change.To, change.DecidedAt, change.RecordedAt, change.Revision));
        Assert.Equal((StatusCategory.PrisonerOfWar, 1L), (c.StatusCategory, c.Revision));
    }
}
