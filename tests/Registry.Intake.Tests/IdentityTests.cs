using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Tests;

// Registry.Identity (the authorization server) is a namespace too: the proto type wins here.
using Identity = Registry.Protos.Intake.V1.Identity;

public sealed class IdentityTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    [Fact]
    public async Task Registration_keeps_every_identity_fact_with_its_source_and_whether_article_17_required_it()
    {
        var request = Requests.SniperInFull();

        var registered = (await intake.Client.RegisterCaptureAsync(request)).Case;

        Assert.Equal(request.Identity, registered.Identity);
        Assert.Equal(request.Capture.Coordinates, registered.Capture.Coordinates);
        Assert.Equal(request.Capture.Circumstances, registered.Capture.Circumstances);
        Assert.Equal(StatusCategory.PrisonerOfWar, registered.StatusCategory);
        Assert.Equal(1, registered.Revision);
        Assert.Equal(registered, (await intake.Client.GetCaseAsync(new GetCaseRequest { CaseId = registered.CaseId })).Case);

        var assertions = await AllAssertionsAsync(registered.CaseId);
        Assert.Equal(19, assertions.Count);
        Assert.All(assertions, a => Assert.Equal(SourceKind.StatedByPerson, a.Source.Kind));
        Assert.All(assertions, a => Assert.True(a.Current));
        Assert.Equal(Obligation.Required, assertions.Single(a => a.Field == "service_number").Obligation);
        Assert.Equal(Obligation.Volunteered, assertions.Single(a => a.Field == "mother_maiden_name").Obligation);
        Assert.Equal("1999-03", assertions.Single(a => a.Field == "date_of_birth").Value);
        Assert.Equal("ko,ru", assertions.Single(a => a.Field == "languages").Value);
    }

    [Fact]
    public async Task A_correction_from_the_persons_own_statement_keeps_the_documents_claim_in_the_history()
    {
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.RiflemanFromForeignDocument("RU-7781234"))).Case;
        Assert.Equal("Kim", registered.Identity.FamilyNameLatin);

        var corrected = (await intake.Client.UpdateIdentityAsync(new UpdateIdentityRequest
        {
            CaseId = registered.CaseId,
            Identity = Requests.RiflemanOwnStatement(),
            UpdateMask = FieldMask.FromString("family_name,given_names,family_name_latin,given_names_latin,date_of_birth,nationality,role,in_service_since,service_number,place_of_birth"),
            Source = new AssertionSource { Kind = SourceKind.StatedByPerson, Note = "the document was another man's" },
            Revision = registered.Revision,
        })).Case;

        Assert.Equal(registered.Revision + 1, corrected.Revision);
        Assert.Equal("리", corrected.Identity.FamilyName);
        Assert.Equal("Jong Hyok", corrected.Identity.GivenNamesLatin);
        Assert.Equal(2005, corrected.Identity.DateOfBirth.Year);
        Assert.Equal(0, corrected.Identity.DateOfBirth.Month);
        Assert.Equal("KP", corrected.Identity.Nationality);
        // Named in the mask but left empty: he does not know his service number; the document's number is no longer shown.
        Assert.Equal("", corrected.Identity.ServiceNumber);
        Assert.Equal(Sex.Male, corrected.Identity.Sex); // not in the mask: unchanged
        Assert.Equal(corrected, (await intake.Client.GetCaseAsync(new GetCaseRequest { CaseId = registered.CaseId })).Case);

        var history = (await AllAssertionsAsync(registered.CaseId)).Where(a => a.Field == "family_name_latin").ToList();
        Assert.Equal(2, history.Count);
        Assert.Equal(("Kim", SourceKind.Document, "AB-1234567", false), (history[0].Value, history[0].Source.Kind, history[0].Source.DocumentNumber, history[0].Current));
        Assert.Equal(("Ri", SourceKind.StatedByPerson, true), (history[1].Value, history[1].Source.Kind, history[1].Current));

        var announced = await intake.Events.WaitForAsync<IdentityUpdated>(e => e.CaseId.ToString() == registered.CaseId, "IdentityUpdated");
        Assert.Equal(corrected.Revision, announced.Revision);
        Assert.Contains("family_name_latin", announced.ChangedFields);
        Assert.Equal("Ri", announced.FamilyNameLatin);
        Assert.Equal("StatedByPerson", announced.Source);
    }

    [Fact]
    public async Task Asserting_an_unchanged_value_three_times_makes_one_revision_one_event_and_one_icrc_notice()
    {
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var caseId = Guid.Parse(registered.CaseId);
        var request = new UpdateIdentityRequest
        {
            CaseId = registered.CaseId,
            Identity = new Identity { Rank = "Junior sergeant", Nationality = "KP" },
            UpdateMask = FieldMask.FromString("rank,nationality"),
            Source = new AssertionSource { Kind = SourceKind.StatedByPerson },
        };

        var current = registered;
        var revisions = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            request.Revision = current.Revision;
            current = (await intake.Client.UpdateIdentityAsync(request)).Case;
            revisions.Add(current.Revision);
        }

        // The same values from another source change nothing either (see UpdateIdentityHandler).
        request.Revision = current.Revision;
        request.Source = new AssertionSource { Kind = SourceKind.Document, DocumentType = "military ID" };
        current = (await intake.Client.UpdateIdentityAsync(request)).Case;

        Assert.Equal([registered.Revision + 1, registered.Revision + 1, registered.Revision + 1], revisions);
        Assert.Equal(registered.Revision + 1, current.Revision);
        Assert.Equal("Junior sergeant", current.Identity.Rank);
        Assert.Equal(2, await intake.QueryAsync(db => db.IdentityAssertions.CountAsync(a => a.CaseId == caseId && a.Field == "rank")));
        Assert.Equal(1, await intake.QueryAsync(db => db.Notifications.CountAsync(n => n.CaseId == caseId && n.Kind == global::Registry.Intake.Domain.NotificationKind.IdentityCorrection)));
        Assert.Equal(1, await intake.QueryAsync(db => db.OutboxMessages.CountAsync(m => m.MessageType.Contains("IdentityUpdated") && m.Payload.Contains(registered.CaseId))));

        // A change of one field among unchanged ones is recorded as before: a revision, every named field from the source.
        request.Revision = current.Revision;
        request.Identity.Rank = "Sergeant";
        var changed = (await intake.Client.UpdateIdentityAsync(request)).Case;
        Assert.Equal(current.Revision + 1, changed.Revision);
        Assert.Equal(2, await intake.QueryAsync(db => db.Notifications.CountAsync(n => n.CaseId == caseId && n.Kind == global::Registry.Intake.Domain.NotificationKind.IdentityCorrection)));
        // Registration, the first change, this change.
        Assert.Equal(3, await intake.QueryAsync(db => db.IdentityAssertions.CountAsync(a => a.CaseId == caseId && a.Field == "nationality" && a.Value == "KP")));
    }

    [Fact]
    public async Task An_update_with_a_stale_revision_is_aborted_and_changes_nothing()
    {
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var update = new UpdateIdentityRequest
        {
            CaseId = registered.CaseId,
            Identity = new Identity { Rank = "Corporal" },
            UpdateMask = FieldMask.FromString("rank"),
            Source = new AssertionSource { Kind = SourceKind.ThirdParty, ReportedBy = "SBU interviewer" },
            Revision = registered.Revision,
        };
        await intake.Client.UpdateIdentityAsync(update);
        var before = await intake.CountStoredAsync();

        update.Identity.Rank = "Sergeant";
        var error = await Assert.ThrowsAsync<RpcException>(() => intake.Client.UpdateIdentityAsync(update).ResponseAsync);

        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal(before, await intake.CountStoredAsync());
        Assert.Equal("Corporal", (await intake.Client.GetCaseAsync(new GetCaseRequest { CaseId = registered.CaseId })).Case.Identity.Rank);
    }

    [Fact]
    public async Task Concurrent_updates_of_one_revision_let_exactly_one_through()
    {
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;

        var attempts = Enumerable.Range(0, 6).Select(async n =>
        {
            try
            {
                await intake.Client.UpdateIdentityAsync(new UpdateIdentityRequest
                {
                    CaseId = registered.CaseId,
                    Identity = new Identity { Role = $"role {n}" },
                    UpdateMask = FieldMask.FromString("role"),
                    Source = new AssertionSource { Kind = SourceKind.StatedByPerson },
                    Revision = registered.Revision,
                });
                return StatusCode.OK;
            }
            catch (RpcException e)
            {
                return e.StatusCode;
            }
        });
        var outcomes = await Task.WhenAll(attempts);

        Assert.Single(outcomes, StatusCode.OK);
        Assert.All(outcomes.Where(o => o != StatusCode.OK), o => Assert.Equal(StatusCode.Aborted, o));
        Assert.Single(await AllAssertionsAsync(registered.CaseId), a => a.Field == "role");
    }

    [Fact]
    public async Task A_status_decision_is_recorded_with_its_reference_and_announced()
    {
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        Assert.Equal(StatusCategory.PendingDetermination, registered.StatusCategory);
        var decidedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 1, 20, 10, 0, 0, TimeSpan.Zero));

        var changed = (await intake.Client.ChangeStatusCategoryAsync(new ChangeStatusCategoryRequest
        {
            CaseId = registered.CaseId,
            StatusCategory = StatusCategory.PrisonerOfWar,
            DecisionReference = "T5-2025-0017",
            DecidedBy = "Art. 5 tribunal, Kyiv",
            DecidedAt = decidedAt,
            Revision = registered.Revision,
        })).Case;

        Assert.Equal(StatusCategory.PrisonerOfWar, changed.StatusCategory);
        var history = (await intake.Client.ListStatusChangesAsync(new ListStatusChangesRequest { CaseId = registered.CaseId, PageSize = 10 })).StatusChanges;
        Assert.Equal(2, history.Count);
        Assert.Equal((StatusCategory.Unspecified, StatusCategory.PendingDetermination), (history[0].From, history[0].To));
        Assert.Equal((StatusCategory.PendingDetermination, StatusCategory.PrisonerOfWar, "T5-2025-0017", decidedAt),
            (history[1].From, history[1].To, history[1].DecisionReference, history[1].DecidedAt));
        var announced = await intake.Events.WaitForAsync<StatusCategoryChanged>(e => e.CaseId.ToString() == registered.CaseId, "StatusCategoryChanged");
        Assert.Equal(("PendingDetermination", "PrisonerOfWar", "T5-2025-0017"), (announced.From, announced.To, announced.DecisionReference));
    }

    [Fact]
    public async Task The_assertion_history_is_paged()
    {
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.SniperInFull())).Case;

        var seen = new List<IdentityAssertion>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await intake.Client.ListIdentityAssertionsAsync(new ListIdentityAssertionsRequest { CaseId = registered.CaseId, PageSize = 5, PageToken = token });
            seen.AddRange(page.Assertions);
            token = page.NextPageToken;
            pages++;
        }
        while (token != "");

        Assert.Equal(19, seen.Count);
        Assert.Equal(4, pages);
        Assert.Equal(seen.Count, seen.Select(a => a.Field).Distinct().Count());
    }

    private async Task<List<IdentityAssertion>> AllAssertionsAsync(string caseId) =>
        (await intake.Client.ListIdentityAssertionsAsync(new ListIdentityAssertionsRequest { CaseId = caseId, PageSize = 500 })).Assertions.ToList();
}
