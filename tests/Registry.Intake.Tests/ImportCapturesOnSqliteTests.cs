using Microsoft.EntityFrameworkCore;
using Registry.Protos.Intake.V1;
using Registry.Testing;

namespace Registry.Intake.Tests;

/// <summary>ImportCaptures on SQLite (the embedded mode's store): the same batch path, the same answers.</summary>
public sealed class ImportCapturesOnSqliteTests(IntakeOnSqliteFixture intake) : IClassFixture<IntakeOnSqliteFixture>
{
    [Fact]
    public async Task A_list_is_imported_with_its_duplicates_replays_and_refusals_on_sqlite()
    {
        var registered = ImportCapturesTests.Person(1993);
        var before = await intake.Client.RegisterCaptureAsync(registered);
        var earlier = ImportCapturesTests.Person(1995);
        var later = ImportCapturesTests.Person(1995, earlier.Identity.FamilyNameLatin, earlier.Identity.GivenNamesLatin);
        later.Identity.ServiceNumber = earlier.Identity.ServiceNumber;
        var again = ImportCapturesTests.Person(1993, registered.Identity.FamilyNameLatin, registered.Identity.GivenNamesLatin);
        again.Identity.ServiceNumber = registered.Identity.ServiceNumber;
        var bad = ImportCapturesTests.Person();
        bad.Capture.Place = "";
        var request = new ImportCapturesRequest { Rows = { earlier, registered, bad, later, again } };

        var response = await intake.Client.ImportCapturesAsync(request);

        Assert.Equal(
            [ImportRowOutcome.Created, ImportRowOutcome.Replayed, ImportRowOutcome.Refused, ImportRowOutcome.Created, ImportRowOutcome.Created],
            response.Results.Select(r => r.Outcome));
        Assert.Equal(before.Case.CaseId, response.Results[1].CaseId);
        Assert.Equal("capture.place", Assert.Single(response.Results[2].Violations).Field);
        Assert.Equal(response.Results[0].CaseId, Assert.Single(response.Results[3].DuplicateCandidates).OtherCaseId);
        Assert.Equal(before.Case.CaseId, Assert.Single(response.Results[4].DuplicateCandidates).OtherCaseId);
        var created = response.Results.Where(r => r.Outcome == ImportRowOutcome.Created).Select(r => Guid.Parse(r.CaseId)).ToList();
        Assert.Equal(3, await intake.QueryAsync(db => db.Notifications.CountAsync(n => created.Contains(n.CaseId))));
        // The sequencer gives them their places after the commit, not within it.
        await Eventually.TrueAsync(async () => await intake.QueryAsync(db => db.Notifications.CountAsync(n => created.Contains(n.CaseId) && n.Sequence != null)) == 3,
            TimeSpan.FromSeconds(30), "the three notifications to take their places in the feed");
        Assert.Equal(3, await intake.QueryAsync(db => db.CaptureCards.CountAsync(c => created.Contains(c.CaseId))));

        var replay = await intake.Client.ImportCapturesAsync(request);
        Assert.Equal(response.Results.Select(r => r.CaseId), replay.Results.Select(r => r.CaseId));
        Assert.Equal(4, replay.Results.Count(r => r.Outcome == ImportRowOutcome.Replayed));
    }

    /// <summary>
    /// A list born over 125 years (1900 to 2024): the blocking statement has four parts a
    /// birth year, over 500 in all, more than SQLite takes in one compound SELECT; they go in several statements.
    /// </summary>
    [Fact]
    public async Task A_list_born_over_more_than_a_century_is_imported_on_sqlite()
    {
        var years = Enumerable.Range(1900, 125).ToList(); // born up to 2024, before the capture (Requests.CapturedAt)
        var rows = years.Select(year => ImportCapturesTests.Person(year)).ToList();
        // One man listed twice, the second time without his service number: found by his name in the same birth year.
        var twice = ImportCapturesTests.Person(1950, rows[50].Identity.FamilyNameLatin, rows[50].Identity.GivenNamesLatin);
        twice.Identity.ServiceNumber = "";
        rows.Add(twice);

        var response = await intake.Client.ImportCapturesAsync(new ImportCapturesRequest { Rows = { rows } });

        Assert.All(response.Results, r => Assert.Equal(ImportRowOutcome.Created, r.Outcome));
        Assert.Equal(response.Results[50].CaseId, Assert.Single(response.Results[^1].DuplicateCandidates).OtherCaseId);
    }
}
