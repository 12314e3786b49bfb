using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Contracts;
using Registry.Intake.Data;
using Registry.Intake.Features.CaptureCards;
using Registry.Protos.Common.V1;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Messaging;
using Registry.Testing;
using NotificationKind = Registry.Intake.Domain.NotificationKind;

namespace Registry.Intake.Tests;

// Registry.Identity (the authorization server) is a namespace too: the proto type wins here.
using Identity = Registry.Protos.Intake.V1.Identity;

/// <summary>
/// Read-check-write under concurrency (issue 10, row 3): calls racing on one case through the real gRPC
/// client, released together, each round many times so that the race really happens. The loser of a race
/// gets the answer it would have got had it come second — never a second effect, never INTERNAL.
/// </summary>
public sealed class ConcurrencyTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    private const int Rounds = 8;
    private const int Callers = 10;

    [Fact]
    public async Task Concurrent_issues_of_one_capture_card_issue_it_once_and_notify_the_ICRC_once()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var registered = (await intake.Client.RegisterCaptureAsync(Person(Word(), Word()))).Case;
            var caseId = Guid.Parse(registered.CaseId);

            var outcomes = await Race.RunAsync(Enumerable.Range(0, Callers).Select(_ =>
                (Func<Task<IssueCaptureCardResponse>>)(() => intake.Client.IssueCaptureCardAsync(new IssueCaptureCardRequest { CaseId = registered.CaseId }).ResponseAsync)));

            var issued = Assert.Single(outcomes, o => o.Error is null).Response!.CaptureCard;
            Assert.All(outcomes.Where(o => o.Error is not null), o => RpcAssert.RuleViolation(o.Error!, "NO_CAPTURE_CARD_DUE", $"cases/{registered.CaseId}"));
            var card = await intake.QueryAsync(db => db.CaptureCards.SingleAsync(c => c.CaseId == caseId));
            Assert.Equal(issued.IssuedAt.ToDateTimeOffset(), card.IssuedAt);
            Assert.Equal(1, await intake.QueryAsync(db => db.Notifications.CountAsync(n => n.CaseId == caseId && n.Kind == NotificationKind.CaptureCard)));
        }
    }

    [Fact]
    public async Task Merges_of_one_pair_in_both_directions_merge_once_and_the_losers_hear_why()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var (family, given) = (Word(), Word());
            var x = (await intake.Client.RegisterCaptureAsync(Person(family, given))).Case;
            var y = (await intake.Client.RegisterCaptureAsync(Person(family, given))).Case;
            MergeCasesRequest Merge(Protos.Intake.V1.Case survivor, Protos.Intake.V1.Case merged) => new()
            {
                SurvivorCaseId = survivor.CaseId, SurvivorRevision = survivor.Revision, MergedCaseId = merged.CaseId, MergedRevision = merged.Revision,
                Reason = "same man",
            };
            var requests = Enumerable.Range(0, Callers).Select(i => i % 2 == 0 ? Merge(y, x) : Merge(x, y)).ToList();

            var outcomes = await Race.RunAsync(requests.Select(r => (Func<Task<MergeCasesResponse>>)(() => intake.Client.MergeCasesAsync(r).ResponseAsync)));

            var won = Assert.Single(outcomes.Select((o, i) => (o, r: requests[i])), p => p.o.Error is null);
            foreach (var outcome in outcomes.Where(o => o.Error is not null))
            {
                // As a second call in either direction would: one of its pair is merged away (which is checked
                // before the revisions, so the answer names the merge, not a stale revision).
                RpcAssert.RuleViolation(outcome.Error!, "CASE_MERGED", $"cases/{won.r.MergedCaseId}");
            }

            var merged = Guid.Parse(won.r.MergedCaseId);
            Assert.Equal(1, await intake.QueryAsync(db => db.OutboxMessages.CountAsync(m => m.MessageType.Contains(nameof(CasesMerged))
                && (m.Payload.Contains(x.CaseId) || m.Payload.Contains(y.CaseId)))));
            Assert.Equal(1, await intake.QueryAsync(db => db.Notifications.CountAsync(n => n.Kind == NotificationKind.CasesMerged
                && (n.CaseId == Guid.Parse(x.CaseId) || n.CaseId == Guid.Parse(y.CaseId)))));
            var cases = await intake.QueryAsync(db => db.Cases.AsNoTracking().Where(c => c.CaseId == Guid.Parse(x.CaseId) || c.CaseId == Guid.Parse(y.CaseId)).ToListAsync());
            Assert.Single(cases, c => c.MergedIntoCaseId is not null);
            Assert.Equal(merged, Assert.Single(cases, c => c.MergedIntoCaseId is not null).CaseId);
        }
    }

    [Fact]
    public async Task Corrections_racing_merges_of_their_case_answer_as_if_they_came_one_after_another()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var (family, given) = (Word(), Word());
            var survivor = (await intake.Client.RegisterCaptureAsync(Person(family, given))).Case;
            var merged = (await intake.Client.RegisterCaptureAsync(Person(family, given))).Case;
            // Half the callers merge the case away, the others correct it (identity, status), all from the revision read.
            var calls = Enumerable.Range(0, Callers).Select(i => (Func<Task<object>>)(i switch
            {
                _ when i % 2 == 0 => async () => await intake.Client.MergeCasesAsync(new MergeCasesRequest
                {
                    SurvivorCaseId = survivor.CaseId, SurvivorRevision = survivor.Revision, MergedCaseId = merged.CaseId, MergedRevision = merged.Revision,
                    Reason = "same man",
                }),
                _ when i % 4 == 1 => async () => await intake.Client.UpdateIdentityAsync(new UpdateIdentityRequest
                {
                    CaseId = merged.CaseId, Identity = new Identity { Rank = $"Private {i}" }, UpdateMask = new() { Paths = { "rank" } },
                    Source = new AssertionSource { Kind = SourceKind.StatedByPerson }, Revision = merged.Revision,
                }),
                _ => async () => await intake.Client.ChangeStatusCategoryAsync(new ChangeStatusCategoryRequest
                {
                    CaseId = merged.CaseId, StatusCategory = StatusCategory.PrisonerOfWar, DecisionReference = $"tribunal {i}",
                    DecidedBy = "UA-JAG", DecidedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)),
                    Revision = merged.Revision,
                }),
            })).ToList();

            var outcomes = await Race.RunAsync(calls);

            var winner = Assert.Single(Enumerable.Range(0, Callers), i => outcomes[i].Error is null);
            foreach (var i in Enumerable.Range(0, Callers).Where(i => i != winner))
            {
                if (winner % 2 == 0)
                {
                    // A merge came first: a correction, or the same merge again, meets a merged case, as it would after the merge.
                    RpcAssert.RuleViolation(outcomes[i].Error!, "CASE_MERGED", $"cases/{merged.CaseId}");
                }
                else
                {
                    // The others read a revision that the winner moved on.
                    Assert.Equal(StatusCode.Aborted, outcomes[i].Error!.StatusCode);
                }
            }
        }
    }

    [Fact]
    public async Task Not_a_duplicate_racing_a_merge_of_the_same_pair_ends_as_one_of_them_came_first()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var (family, given) = (Word(), Word());
            var first = (await intake.Client.RegisterCaptureAsync(Person(family, given))).Case;
            var second = (await intake.Client.RegisterCaptureAsync(Person(family, given))).Case;
            var merge = (Func<Task<object>>)(async () => await intake.Client.MergeCasesAsync(new MergeCasesRequest
            {
                SurvivorCaseId = first.CaseId, SurvivorRevision = first.Revision, MergedCaseId = second.CaseId, MergedRevision = second.Revision, Reason = "same man",
            }));
            // Spread over the merge's run, so that some land while it is between its read and its commit.
            var decisions = Enumerable.Range(0, Callers - 1).Select(i => (Func<Task<object>>)(async () =>
            {
                await Task.Delay(3 * i);
                return await intake.Client.MarkNotDuplicateAsync(new MarkNotDuplicateRequest { CaseId = first.CaseId, OtherCaseId = second.CaseId, Reason = $"brothers ({i})" });
            }));

            var outcomes = await Race.RunAsync(new[] { merge }.Concat(decisions));

            // Whichever comes first stands: a merge makes every later decision CASE_MERGED; a decision makes the
            // later merge MARKED_NOT_DUPLICATE (until it is reopened).
            var mergedFirst = outcomes[0].Error is null;
            if (!mergedFirst)
            {
                Assert.Equal(StatusCode.FailedPrecondition, outcomes[0].Error!.StatusCode);
                Assert.Equal("MARKED_NOT_DUPLICATE", outcomes[0].Error!.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>().Reason);
            }

            Assert.All(outcomes.Skip(1).Where(o => o.Error is not null), o =>
            {
                Assert.Equal(StatusCode.FailedPrecondition, o.Error!.StatusCode);
                Assert.Equal("CASE_MERGED", o.Error.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>().Reason);
            });
            var (a, b) = (Guid.Parse(first.CaseId), Guid.Parse(second.CaseId));
            var pair = await intake.QueryAsync(db => db.DuplicateCandidates.AsNoTracking()
                .SingleAsync(d => (d.CaseId == a && d.OtherCaseId == b) || (d.CaseId == b && d.OtherCaseId == a)));
            // A decision answered OK exactly when it came before the merge, which was then refused.
            var decided = outcomes.Skip(1).Any(o => o.Error is null);
            Assert.Equal(!mergedFirst, decided);
            Assert.Equal(decided ? Registry.Intake.Domain.DuplicateStatus.NotDuplicate : Registry.Intake.Domain.DuplicateStatus.Merged, pair.Status);
        }
    }

    [Fact]
    public async Task A_transfer_applied_while_its_case_is_merged_is_owed_on_the_survivor_never_on_the_merged_case()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var (family, given) = (Word(), Word());
            var survivor = (await intake.Client.RegisterCaptureAsync(Person(family, given))).Case;
            var merged = (await intake.Client.RegisterCaptureAsync(Person(family, given))).Case;
            var mergedId = Guid.Parse(merged.CaseId);
            var merge = (Func<Task<object>>)(async () => await intake.Client.MergeCasesAsync(new MergeCasesRequest
            {
                SurvivorCaseId = survivor.CaseId, SurvivorRevision = survivor.Revision, MergedCaseId = merged.CaseId, MergedRevision = merged.Revision, Reason = "same man",
            }));
            // The consumer's handler in its inbox transaction, retried as the consumer's retry policy would.
            var transfers = Enumerable.Range(0, Callers - 1).Select(i => (Func<Task<object>>)(() => ApplyTransferAsync(new CustodyTransferred
            {
                CaseId = mergedId, TransferredAt = DateTimeOffset.UtcNow.AddMinutes(-i), FromFacility = "SBU, Kyiv", ToFacility = $"camp {i}",
            })));

            var outcomes = await Race.RunAsync(new[] { merge }.Concat(transfers));

            Assert.All(outcomes, o => Assert.Null(o.Error));
            var cards = await intake.QueryAsync(db => db.CaptureCards.AsNoTracking()
                .Where(c => c.Reason == Registry.Intake.Domain.CaptureCardReason.Transfer && (c.CaseId == mergedId || c.CaseId == Guid.Parse(survivor.CaseId))).ToListAsync());
            Assert.Equal(Callers - 1, cards.Count);
            // A card on the merged case is one written before the merge, which withdrew it.
            Assert.All(cards.Where(c => c.CaseId == mergedId), c => Assert.NotNull(c.WithdrawnAt));
        }
    }

    private async Task<object> ApplyTransferAsync(CustodyTransferred transfer)
    {
        var messageId = Guid.NewGuid();
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = intake.Service.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IntakeDbContext>();
            var handler = scope.ServiceProvider.GetRequiredService<CaptureCardEventHandler>();
            try
            {
                await db.ApplyOnceAsync(messageId, "ConcurrencyProbe", TimeProvider.System, t => handler.HandleAsync(transfer, t), CancellationToken.None);
                return transfer;
            }
            catch (DbUpdateException) when (attempt < 20)
            {
                await Task.Delay(Random.Shared.Next(5, 50));
            }
        }
    }

    /// <summary>A person no other test registers (random Latin names), so duplicate candidates come only from this test.</summary>
    internal static RegisterCaptureRequest Person(string family, string given)
    {
        var request = Requests.Rifleman();
        request.Identity = new Identity
        {
            FamilyNameLatin = family, GivenNamesLatin = given, DateOfBirth = new PartialDate { Year = 1998 }, Nationality = "KP",
        };
        return request;
    }

    internal static string Word() => string.Concat(Enumerable.Range(0, 8).Select(_ => (char)('a' + Random.Shared.Next(26))));
}

/// <summary>Calls released together (after all are ready), each ending in a response or an RPC error.</summary>
internal static class Race
{
    public sealed record Outcome<T>(T? Response, RpcException? Error);

    public static async Task<IReadOnlyList<Outcome<T>>> RunAsync<T>(IEnumerable<Func<Task<T>>> calls)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = calls.Select(async call =>
        {
            await start.Task;
            try
            {
                return new Outcome<T>(await call(), null);
            }
            catch (RpcException ex)
            {
                return new Outcome<T>(default, ex);
            }
        }).ToList();
        start.SetResult();
        return await Task.WhenAll(running);
    }
}
