using Registry.Intake.Domain;
using Registry.ServiceDefaults.Domain;

namespace Registry.Intake.Tests.Domain;

/// <summary>Merging two cases of one person, and the decisions on duplicate candidates, without a database.</summary>
public sealed class CaseMergeTests
{
    private static readonly DateTimeOffset Now = Aggregates.Captured.AddDays(1);

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
        candidate.Resolve(DuplicateStatus.Merged, "fingerprints", Now);

        var refused = Assert.Throws<RuleViolationException>(() => candidate.Resolve(DuplicateStatus.NotDuplicate, "twins", Now));

        Assert.Equal(("CASE_MERGED", DuplicateCandidate.ResourceType), (refused.Reason, refused.ResourceType));
        Assert.Equal((DuplicateStatus.Merged, "fingerprints"), (candidate.Status, candidate.ResolutionNote));
    }

    [Fact]
    public void A_pair_declared_two_persons_can_be_decided_again()
    {
        var candidate = DuplicateCandidate.Found(Guid.NewGuid(), 2, Guid.NewGuid(), 1, 0, "marked by a coordinator", Now);

        candidate.Resolve(DuplicateStatus.NotDuplicate, "brothers", Now);
        candidate.Resolve(DuplicateStatus.NotDuplicate, "brothers: photographs", Now.AddDays(1));

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
}
