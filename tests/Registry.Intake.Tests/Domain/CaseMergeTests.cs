using Registry.Intake.Domain;
using Registry.ServiceDefaults.Domain;

namespace Registry.Intake.Tests.Domain;

/// <summary>Merging two cases of one person, and the decisions on duplicate candidates, without a database.</summary>
public sealed class CaseMergeTests
{
    private static readonly DateTimeOffset Now = Aggregates.Captured.AddDays(1);
    private static readonly DecidedBy Coordinator = new("UA-NIB", "nib-desk");

    [Fact]
    public void A_merge_points_the_merged_case_to_the_survivor_and_changes_both_revisions()
    {
        var survivor = Aggregates.NewCase();
        var merged = Aggregates.NewCase();

        merged.MergeInto(survivor, Now);

        Assert.Equal((survivor.CaseId, true, 1L, Now), (merged.MergedIntoCaseId!.Value, merged.IsMerged, merged.Revision, merged.UpdatedAt));
        Assert.Equal((false, 1L, Now), (survivor.IsMerged, survivor.Revision, survivor.UpdatedAt));
    }

    [Fact]
    public void A_case_cannot_be_merged_into_itself()
    {
        var c = Aggregates.NewCase();

        Assert.Equal("CASE_MERGE_INTO_ITSELF", Assert.Throws<RuleViolationException>(() => c.MergeInto(c, Now)).Reason);
        Assert.False(c.IsMerged);
    }

    [Fact]
    public void A_merged_case_is_merged_once_and_nothing_is_merged_into_it()
    {
        var survivor = Aggregates.NewCase();
        var merged = Aggregates.NewCase();
        var third = Aggregates.NewCase();
        merged.MergeInto(survivor, Now);

        Assert.Equal("CASE_MERGED", Assert.Throws<RuleViolationException>(() => merged.MergeInto(third, Now)).Reason);
        Assert.Equal("CASE_MERGED", Assert.Throws<RuleViolationException>(() => third.MergeInto(merged, Now)).Reason);
        Assert.Equal(survivor.CaseId, merged.MergedIntoCaseId);
        Assert.False(third.IsMerged);
    }

    [Fact]
    public void A_merged_case_takes_no_status_decision_nor_identity_assertion()
    {
        var merged = Aggregates.NewCase();
        merged.MergeInto(Aggregates.NewCase(), Now);

        var status = Assert.Throws<RuleViolationException>(() => merged.ChangeStatus(StatusCategory.PrisonerOfWar, "T-1", "tribunal", Now, Now));
        var identity = Assert.Throws<RuleViolationException>(() => merged.Assert(new Dictionary<string, string?> { ["rank"] = "x" }, AssertionSource.Unrecorded, Now));

        Assert.Equal(("CASE_MERGED", "CASE_MERGED"), (status.Reason, identity.Reason));
        Assert.Equal(1, merged.Revision);
        Assert.Null(merged.Identity.Rank);
    }

    [Fact]
    public void A_pair_merged_as_one_person_cannot_be_declared_two_afterwards()
    {
        var candidate = DuplicateCandidate.Found(Guid.NewGuid(), 2, Guid.NewGuid(), 1, 0.9, "same name", Now);
        candidate.Resolve(DuplicateStatus.Merged, "fingerprints", Coordinator, Now);

        var refused = Assert.Throws<RuleViolationException>(() => candidate.Resolve(DuplicateStatus.NotDuplicate, "twins", Coordinator, Now));

        Assert.Equal(("CASE_MERGED", DuplicateCandidate.ResourceType), (refused.Reason, refused.ResourceType));
        Assert.Equal((DuplicateStatus.Merged, "fingerprints"), (candidate.Status, candidate.ResolutionNote));
    }

    [Fact]
    public void A_pair_declared_two_persons_can_be_decided_again()
    {
        var candidate = DuplicateCandidate.Found(Guid.NewGuid(), 2, Guid.NewGuid(), 1, 0, "marked by a coordinator", Now);

        candidate.Resolve(DuplicateStatus.NotDuplicate, "brothers", Coordinator, Now);
        candidate.Resolve(DuplicateStatus.NotDuplicate, "brothers: photographs", Coordinator, Now.AddDays(1));

        Assert.Equal((DuplicateStatus.NotDuplicate, "brothers: photographs", Now.AddDays(1)), (candidate.Status, candidate.ResolutionNote, candidate.ResolvedAt!.Value));
    }

    [Fact]
    public void Candidates_are_kept_with_the_later_case_first()
    {
        var (earlier, later) = (Guid.NewGuid(), Guid.NewGuid());
        var found = DuplicateCandidate.Found(earlier, 1, later, 7, 0.8, "similar names", Now);

        var kept = found.LaterFirst();

        Assert.Equal((later, 7L, earlier, 1L, found.CandidateId, 0.8), (kept.CaseId, kept.CaseNumber, kept.OtherCaseId, kept.OtherCaseNumber, kept.CandidateId, kept.Score));
        Assert.Same(kept, kept.LaterFirst());
    }

    [Fact]
    public void A_pair_declared_two_persons_is_not_merged_until_the_decision_is_reopened()
    {
        var candidate = DuplicateCandidate.Found(Guid.NewGuid(), 2, Guid.NewGuid(), 1, 0.7, "similar names", Now);
        candidate.Resolve(DuplicateStatus.NotDuplicate, "different fathers", Coordinator, Now);

        var refused = Assert.Throws<RuleViolationException>(() => candidate.Resolve(DuplicateStatus.Merged, "same person", Coordinator, Now));
        Assert.Equal(("MARKED_NOT_DUPLICATE", DuplicateStatus.NotDuplicate), (refused.Reason, candidate.Status));

        var reopened = candidate.Reopen("new photographs", new DecidedBy("UA-NIB", "nib-review"), Now.AddDays(1));
        var merged = candidate.Resolve(DuplicateStatus.Merged, "same person", Coordinator, Now.AddDays(2));

        Assert.Equal((DuplicateStatus.Open, "nib-review", "new photographs"), (reopened.Status, reopened.DecidedByClient, reopened.Note));
        Assert.Equal((DuplicateStatus.Merged, "UA-NIB", "nib-desk"), (merged.Status, merged.DecidedByAgency, merged.DecidedByClient));
        Assert.Equal((DuplicateStatus.Merged, "UA-NIB", "nib-desk"), (candidate.Status, candidate.DecidedByAgency, candidate.DecidedByClient));
    }

    [Fact]
    public void Only_a_not_duplicate_decision_reopens()
    {
        var open = DuplicateCandidate.Found(Guid.NewGuid(), 2, Guid.NewGuid(), 1, 0.7, "similar names", Now);
        var merged = DuplicateCandidate.Found(Guid.NewGuid(), 4, Guid.NewGuid(), 3, 0.9, "same service number", Now);
        merged.Resolve(DuplicateStatus.Merged, "fingerprints", Coordinator, Now);

        Assert.Equal("DUPLICATE_NOT_DECIDED", Assert.Throws<RuleViolationException>(() => open.Reopen("x", Coordinator, Now)).Reason);
        Assert.Equal("CASE_MERGED", Assert.Throws<RuleViolationException>(() => merged.Reopen("x", Coordinator, Now)).Reason);
        Assert.Equal((DuplicateStatus.Open, DuplicateStatus.Merged), (open.Status, merged.Status));
    }

    [Fact]
    public void The_survivor_keeps_the_merged_cases_names_and_is_searched_by_them()
    {
        var survivor = Aggregates.NewCase();
        survivor.Assert(new Dictionary<string, string?> { ["family_name_latin"] = "Jo", ["given_names_latin"] = "Myong Chol" }, AssertionSource.Unrecorded, Now);
        var merged = Aggregates.NewCase();
        merged.Assert(new Dictionary<string, string?> { ["family_name"] = "조", ["given_names"] = "명철", ["family_name_latin"] = "Cho", ["given_names_latin"] = "Myeong-cheol" },
            AssertionSource.Unrecorded, Now);
        var third = Aggregates.NewCase();
        third.Assert(new Dictionary<string, string?> { ["family_name_latin"] = "Jo", ["given_names_latin"] = "Myong Chol" }, AssertionSource.Unrecorded, Now);

        merged.MergeInto(survivor, Now);
        third.MergeInto(survivor, Now);

        Assert.Equal(["조 명철 | Cho Myeong-cheol"], survivor.AliasNames);
        Assert.Contains("myeong", survivor.SearchText);
        Assert.Contains("명철", survivor.SearchText);
        Assert.StartsWith(NameSearch.KeysOf(survivor.Identity).Compact, survivor.SearchText);
        Assert.True(NameSearch.Matches(NameSearch.Query("Myeongcheol Cho"), new NameSearchKeys(survivor.SearchText, survivor.SearchKey!), fuzzy: false));

        // A later correction of the survivor's own names keeps the aliases searchable.
        survivor.Assert(new Dictionary<string, string?> { ["given_names_latin"] = "Myong-chol" }, AssertionSource.Unrecorded, Now);
        Assert.Contains("myeong", survivor.SearchText);
    }

    [Fact]
    public void The_person_owes_the_earlier_due_admission_card_and_every_other_card_after_a_merge()
    {
        var survivor = Aggregates.NewCase(registeredAt: Aggregates.Captured.AddDays(20));
        var merged = Aggregates.NewCase();
        var survivorAdmission = CaptureCard.Owed(survivor, CaptureCardReason.Admission, Aggregates.Captured.AddDays(20), Now);
        var mergedAdmission = CaptureCard.Owed(merged, CaptureCardReason.Admission, Aggregates.Captured.AddDays(1), Now);
        var mergedTransfer = CaptureCard.Owed(merged, CaptureCardReason.Transfer, Aggregates.Captured.AddDays(5), Now);

        var (carried, withdrawn) = CaptureCard.Merge(survivor, [survivorAdmission], merged, [mergedAdmission, mergedTransfer], Now);

        Assert.Equal([mergedTransfer, mergedAdmission], carried.OrderByDescending(c => c.Reason).ToList());
        Assert.Equal([survivorAdmission], withdrawn);
        Assert.All(carried, c => Assert.Equal((survivor.CaseId, survivor.Number), (c.CaseId, c.CaseNumber)));
        Assert.Equal(Aggregates.Captured.AddDays(8), mergedAdmission.DueAt);
        Assert.Null(mergedAdmission.WithdrawnAt);
    }

    [Fact]
    public void A_merged_admission_card_is_withdrawn_when_the_survivors_was_issued_or_due_earlier()
    {
        var survivor = Aggregates.NewCase();
        var merged = Aggregates.NewCase();
        var issued = CaptureCard.Owed(survivor, CaptureCardReason.Admission, Aggregates.Captured.AddDays(3), Now);
        issued.Issue("{}", Now);
        var owed = CaptureCard.Owed(merged, CaptureCardReason.Admission, Aggregates.Captured.AddDays(1), Now);

        var (carried, withdrawn) = CaptureCard.Merge(survivor, [issued], merged, [owed], Now);

        Assert.Empty(carried);
        Assert.Equal([owed], withdrawn);

        var earlier = CaptureCard.Owed(survivor, CaptureCardReason.Admission, Aggregates.Captured.AddDays(1), Now);
        var later = CaptureCard.Owed(merged, CaptureCardReason.Admission, Aggregates.Captured.AddDays(2), Now);
        (carried, withdrawn) = CaptureCard.Merge(survivor, [earlier], merged, [later], Now);
        Assert.Equal((0, later, (DateTimeOffset?)null), (carried.Count, withdrawn.Single(), earlier.WithdrawnAt));
    }
}
