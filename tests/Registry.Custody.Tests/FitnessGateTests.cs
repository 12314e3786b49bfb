using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Registry.Protos.Custody.V1;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;
using static Registry.Custody.Tests.MedicalLinkFixture;
using Facility = Registry.Protos.Custody.V1.Facility;

namespace Registry.Custody.Tests;

/// <summary>
/// The fitness question a transfer asks medical (GC III Art. 46-47) against a real medical service: unfit and no
/// assessment refuse the move, an override reason lets it go ahead on the record, medical down or silent answers
/// UNAVAILABLE within custody's deadline (for an interview as for a transfer), the question travels with the caller's own
/// token, and a caller's deadline shorter than custody's own reaches medical with it.
/// </summary>
[Collection(MedicalLinkCollection.Name)]
public sealed class FitnessGateTests(MedicalLinkFixture custody)
{
    /// <summary>No override reason, and one: a caller that gave up is not moved on either.</summary>
    public static TheoryData<string?> WithAndWithoutOverride => [null, "the medic is cut off by shelling; a medic of the unit goes with the convoy"];

    private async Task AssertNothingStoredAsync(Guid caseId)
    {
        var record = await custody.RecordAsync(caseId);
        Assert.Equal(CustodyState.Held, record.State);
        Assert.Equal(2, record.EventCount);
        Assert.Equal("", record.TransferToAgency);
        Assert.Equal(0, await custody.QueryAsync(db => db.Events.CountAsync(e => e.CaseId == caseId && e.Kind == Registry.Custody.Domain.CustodyEventKind.TransferStarted)));
    }

    [Fact]
    public async Task A_person_medical_assessed_unfit_is_not_transferred()
    {
        var caseId = await custody.HeldAsync();
        var assessment = await custody.AssessAsync(caseId, FitnessOutcome.Unfit);

        var refused = await Assert.ThrowsAsync<RpcException>(() => custody.Custodian().TransferCustodyAsync(ToLviv(caseId)).ResponseAsync);

        RpcAssert.RuleViolation(refused, "UNFIT_FOR_TRANSFER", $"cases/{caseId}");
        Assert.Contains(assessment.AssessmentId, refused.Status.Detail);
        await AssertNothingStoredAsync(caseId);
    }

    [Fact]
    public async Task Without_an_assessment_in_force_the_transfer_is_refused()
    {
        var never = await custody.HeldAsync();
        var none = await Assert.ThrowsAsync<RpcException>(() => custody.Custodian().TransferCustodyAsync(ToLviv(never)).ResponseAsync);
        RpcAssert.RuleViolation(none, "NO_FITNESS_ASSESSMENT", $"cases/{never}");
        Assert.Contains("no assessment for it was ever made", none.Status.Detail);
        await AssertNothingStoredAsync(never);

        // Fit for a day, six days before the departure.
        var lapsed = await custody.HeldAsync();
        await custody.AssessAsync(lapsed, FitnessOutcome.Fit, days: 1);
        var expired = await Assert.ThrowsAsync<RpcException>(() => custody.Custodian().TransferCustodyAsync(ToLviv(lapsed)).ResponseAsync);
        RpcAssert.RuleViolation(expired, "NO_FITNESS_ASSESSMENT", $"cases/{lapsed}");
        Assert.Contains($"expired on {AssessedAt.AddDays(1):yyyy-MM-dd}", expired.Status.Detail);
        await AssertNothingStoredAsync(lapsed);
    }

    [Fact]
    public async Task An_override_reason_lets_an_unfit_person_be_moved_and_the_timeline_keeps_the_verdict_and_the_override()
    {
        var caseId = await custody.HeldAsync();
        var assessment = await custody.AssessAsync(caseId, FitnessOutcome.Unfit);

        var started = await custody.Custodian().TransferCustodyAsync(ToLviv(caseId, "the facility is under shelling"));

        Assert.Equal(CustodyState.InTransfer, started.Record.State);
        Assert.Equal(
            $"moved away from the combat zone (GC III Art. 19); fitness for TRANSFER: UNFIT until {AssessedAt.AddDays(30):yyyy-MM-dd} (assessment {assessment.AssessmentId}); overridden: the facility is under shelling",
            started.Event.Note);
    }

    [Fact]
    public async Task The_fitness_question_goes_to_medical_with_the_custodians_own_token()
    {
        var caseId = await custody.HeldAsync();
        await custody.AssessAsync(caseId, FitnessOutcome.Fit);

        await custody.Custodian().TransferCustodyAsync(ToLviv(caseId));

        var question = Assert.Single(await custody.FitnessQuestionsAsync(caseId));
        Assert.Equal("test-ua-sso-custodian", question.ClientId);
        Assert.Equal("UA-SSO", question.Agency);
        Assert.Equal("custodian", question.Roles);
        Assert.Equal("OK", question.Outcome);
    }

    [Fact]
    public async Task With_medical_down_a_transfer_answers_unavailable_at_once_unless_overridden()
    {
        var caseId = await custody.HeldAsync();
        await custody.AssessAsync(caseId, FitnessOutcome.Fit);
        custody.MedicalLink.Cut();
        try
        {
            var clock = Stopwatch.StartNew();
            var down = await Assert.ThrowsAsync<RpcException>(() => custody.Custodian().TransferCustodyAsync(ToLviv(caseId)).ResponseAsync);
            clock.Stop();

            Assert.Equal(StatusCode.Unavailable, down.StatusCode);
            Assert.Contains("Medical did not answer whether the person is fit for transfer", down.Status.Detail);
            // Refused connections answer at once: custody does not sit out its deadline.
            Assert.True(clock.Elapsed < FitnessCallTimeout, $"took {clock.Elapsed}");
            await AssertNothingStoredAsync(caseId);

            var overridden = await custody.Custodian().TransferCustodyAsync(ToLviv(caseId, "the facility is under shelling"));
            Assert.Equal(CustodyState.InTransfer, overridden.Record.State);
            Assert.EndsWith("fitness for TRANSFER: medical unavailable (Unavailable); overridden: the facility is under shelling", overridden.Event.Note);
        }
        finally
        {
            await custody.RestoreAsync();
        }
    }

    [Fact]
    public async Task With_medical_down_an_interview_answers_unavailable_unless_overridden_and_nothing_is_stored()
    {
        var caseId = await custody.HeldAsync();
        await custody.AssessAsync(caseId, FitnessOutcome.Fit);
        var interview = new RecordInterviewRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CaseId = caseId.ToString(),
            StartedAt = Timestamp.FromDateTimeOffset(DepartedAt.AddDays(-2)),
            DurationMinutes = 60,
            Place = new Facility { Name = "SBU detention facility", Locality = "Kyiv", Country = "UA" },
            InterviewingAgency = "UA-SSO",
            Interviewer = "SSO investigator 3",
            Language = "ko",
            Interpreter = new InterviewParticipant { Name = "interpreter K-2", Agency = "UA-SSO", Function = "Korean interpreter" },
        };
        custody.MedicalLink.Cut();
        try
        {
            var down = await Assert.ThrowsAsync<RpcException>(() => custody.Custodian().RecordInterviewAsync(interview).ResponseAsync);

            Assert.Equal(StatusCode.Unavailable, down.StatusCode);
            Assert.Contains("Medical did not answer whether the person is fit for interview", down.Status.Detail);
            Assert.Equal(0, await custody.QueryAsync(db => db.Interviews.CountAsync(i => i.CaseId == caseId)));

            interview.RequestId = Guid.NewGuid().ToString();
            interview.OverrideReason = "the medic is cut off by shelling; 60 minutes, a medic of the unit present";
            var recorded = await custody.Custodian().RecordInterviewAsync(interview);
            Assert.Equal(interview.OverrideReason, recorded.Interview.OverrideReason);
            Assert.Contains("medical unavailable", recorded.Interview.Fitness);
        }
        finally
        {
            await custody.RestoreAsync();
        }
    }

    [Theory]
    [MemberData(nameof(WithAndWithoutOverride))]
    public async Task A_callers_deadline_shorter_than_custodys_own_reaches_medical_and_the_transfer_it_gave_up_on_is_not_stored(string? overrideReason)
    {
        await using var held = await FitWithMedicalsAnswerHeldBackAsync();
        var (caseId, transaction) = (held.CaseId, held.Transaction);

        var callersDeadline = TimeSpan.FromMilliseconds(500);
        var asked = DateTimeOffset.UtcNow;
        var transfer = ToLviv(caseId);
        transfer.OverrideReason = overrideReason ?? "";
        // Custody's call to medical runs out with the caller's deadline; custody answers DEADLINE_EXCEEDED (never UNAVAILABLE,
        // and never the move on its override reason), whichever of the two timers for that deadline fires first.
        var gaveUp = await Assert.ThrowsAsync<RpcException>(() =>
            custody.Custodian().TransferCustodyAsync(transfer, deadline: DateTime.UtcNow + callersDeadline).ResponseAsync);
        // DEADLINE_EXCEEDED is best effort over HTTP/2: the server's own deadline may reset the stream before the client's
        // timer runs, and the client then reports CANCELLED, or INTERNAL for the broken transport, in the client's own words
        // ("Error starting gRPC call…", "Error reading next message…"; grpc/grpc#2685, gRPC's PROTOCOL-HTTP2.md on
        // RST_STREAM). An INTERNAL the service itself answered would be a fault of ours.
        Assert.True(gaveUp.StatusCode is StatusCode.DeadlineExceeded or StatusCode.Cancelled
                    || (gaveUp.StatusCode == StatusCode.Internal && gaveUp.Status.Detail.StartsWith("Error ", StringComparison.Ordinal)),
            $"{gaveUp.StatusCode}: {gaveUp.Status.Detail}");
        await Task.Delay(FitnessCallTimeout + TimeSpan.FromSeconds(1));
        await transaction.RollbackAsync();

        // Medical's own record of the question: it ended with the caller's deadline, not custody's 3 s one.
        // One row a call; two when its caller left while the first was being written: the audit then adds what the caller
        // saw, the table being append-only (AccessAuditWriter.RecordAnswerAsync, docs/performance.md, "An answer waits for
        // its audit only while its caller waits"). Here both say the deadline or the cancel.
        var questions = await Eventually.GetAsync(async () => await custody.FitnessQuestionsAsync(caseId) is { Count: > 0 } rows ? rows : null,
            TimeSpan.FromSeconds(30), "medical's audit of the fitness question");
        Assert.InRange(questions.Count, 1, 2);
        Assert.All(questions, q => Assert.Contains(q.Outcome, new[] { "DEADLINE_EXCEEDED", "CANCELLED" }));
        var question = questions.MinBy(q => q.OccurredAt.ToDateTimeOffset())!;
        var lasted = question.OccurredAt.ToDateTimeOffset() - asked;
        Assert.True(lasted < FitnessCallTimeout - TimeSpan.FromSeconds(1), $"medical's call ended {lasted} after it was asked ({question.Outcome})");
        // Custody's own answer, as its audit recorded it: the caller's deadline, or the caller gone; never "medical unavailable".
        var answered = await Eventually.GetAsync(async () => await custody.TransferAnswersAsync(caseId) is { Count: > 0 } rows ? rows : null,
            TimeSpan.FromSeconds(30), "custody's audit of the transfer");
        Assert.InRange(answered.Count, 1, 2);
        Assert.All(answered, a => Assert.Contains(a.Outcome, new[] { "DEADLINE_EXCEEDED", "CANCELLED" }));
        await AssertNothingStoredAsync(caseId);
    }

    /// <summary>
    /// The same, decided without the race between the two timers for one deadline: the fitness question is asked inside a
    /// served call whose deadline (500 ms) is shorter than custody's own and whose caller never goes away, so medical's
    /// silence ends only by that deadline. The answer is DEADLINE_EXCEEDED (CALLER_DEADLINE_EXCEEDED), neither UNAVAILABLE
    /// nor, with an override reason, a move the caller has already given up on.
    /// </summary>
    [Theory]
    [MemberData(nameof(WithAndWithoutOverride))]
    public async Task When_the_callers_deadline_ends_the_fitness_question_the_answer_is_deadline_exceeded(string? overrideReason)
    {
        var clock = Stopwatch.StartNew();
        var ranOut = await Assert.ThrowsAsync<RpcException>(() => AskWithMedicalSilentAsync(overrideReason, TimeSpan.FromMilliseconds(500)));

        Assert.Equal(StatusCode.DeadlineExceeded, ranOut.StatusCode);
        Assert.Equal("CALLER_DEADLINE_EXCEEDED", ranOut.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason);
        Assert.Contains("deadline ran out while custody waited for medical", ranOut.Status.Detail);
        Assert.True(clock.Elapsed < FitnessCallTimeout, $"took {clock.Elapsed}");
    }

    /// <summary>
    /// A caller's deadline later than custody's own is not what ends the question: custody's bound runs out first, and
    /// medical's silence is UNAVAILABLE, or with an override reason the move goes ahead on it, as without a deadline.
    /// </summary>
    [Theory]
    [MemberData(nameof(WithAndWithoutOverride))]
    public async Task A_callers_deadline_later_than_custodys_own_leaves_medicals_silence_unavailable(string? overrideReason)
    {
        var callersDeadline = FitnessCallTimeout + TimeSpan.FromSeconds(10);
        if (overrideReason is null)
        {
            var silent = await Assert.ThrowsAsync<RpcException>(() => AskWithMedicalSilentAsync(overrideReason, callersDeadline));
            Assert.Equal(StatusCode.Unavailable, silent.StatusCode);
            Assert.Contains("Medical did not answer whether the person is fit for transfer (DeadlineExceeded)", silent.Status.Detail);
        }
        else
        {
            var check = await AskWithMedicalSilentAsync(overrideReason, callersDeadline);
            Assert.Equal(overrideReason, check.OverrideReason);
            Assert.Equal("medical unavailable (DeadlineExceeded)", check.MedicalAnswer);
        }
    }

    /// <summary>
    /// Custody's fitness question for a transfer, asked as inside a served call of a custodian whose deadline is
    /// <paramref name="callersDeadline"/> from now and who never goes away, while medical's answers are held back.
    /// </summary>
    private async Task<Registry.Custody.Features.Fitness.FitnessCheck> AskWithMedicalSilentAsync(string? overrideReason, TimeSpan callersDeadline)
    {
        await using var held = await FitWithMedicalsAnswerHeldBackAsync();
        await using var scope = custody.Service.Services.CreateAsyncScope();
        var accessor = scope.ServiceProvider.GetRequiredService<IHttpContextAccessor>();
        var served = new DefaultHttpContext();
        var token = await (await TestAuthority.GetAsync()).TokenAsync("UA-SSO", [RegistryRoles.Custodian]);
        served.Request.Headers.Authorization = $"Bearer {token}";
        served.Features.Set<IServerCallContextFeature>(new ServedCall(new TestServerCallContext(DateTime.UtcNow + callersDeadline)));
        accessor.HttpContext = served;
        try
        {
            var fitness = scope.ServiceProvider.GetRequiredService<Registry.Custody.Features.Fitness.MedicalFitness>();
            return await fitness.CheckAsync(held.CaseId, FitnessPurpose.Transfer, DepartedAt, overrideReason, $"cases/{held.CaseId}", CancellationToken.None);
        }
        finally
        {
            accessor.HttpContext = null;
            await held.Transaction.RollbackAsync();
        }
    }

    /// <summary>
    /// A person held and assessed fit, then medical's fitness answers held back by a lock on its assessments until
    /// <see cref="MedicalHeldBack.Transaction"/> ends (long after every deadline of these tests).
    /// </summary>
    private async Task<MedicalHeldBack> FitWithMedicalsAnswerHeldBackAsync()
    {
        var caseId = await custody.HeldAsync();
        await custody.AssessAsync(caseId, FitnessOutcome.Fit);
        var connection = new NpgsqlConnection(custody.MedicalDatabase);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("LOCK TABLE fitness_assessments IN ACCESS EXCLUSIVE MODE", connection, transaction);
        await command.ExecuteNonQueryAsync();
        return new MedicalHeldBack(caseId, connection, transaction);
    }

    private sealed record MedicalHeldBack(Guid CaseId, NpgsqlConnection Connection, NpgsqlTransaction Transaction) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Connection.DisposeAsync();
    }

    private sealed class ServedCall(ServerCallContext call) : IServerCallContextFeature
    {
        public ServerCallContext ServerCallContext => call;
    }

    [Fact]
    public async Task With_medical_silent_a_transfer_answers_unavailable_when_custodys_deadline_runs_out()
    {
        var caseId = await custody.HeldAsync();
        await custody.AssessAsync(caseId, FitnessOutcome.Fit);
        custody.MedicalLink.Freeze();
        try
        {
            var clock = Stopwatch.StartNew();
            var silent = await Assert.ThrowsAsync<RpcException>(() => custody.Custodian().TransferCustodyAsync(ToLviv(caseId)).ResponseAsync);
            clock.Stop();

            Assert.Equal(StatusCode.Unavailable, silent.StatusCode);
            Assert.Contains("DeadlineExceeded", silent.Status.Detail);
            Assert.True(clock.Elapsed >= FitnessCallTimeout, $"took {clock.Elapsed}");
            Assert.True(clock.Elapsed < FitnessCallTimeout + TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
            await AssertNothingStoredAsync(caseId);
        }
        finally
        {
            custody.MedicalLink.Thaw();
        }

        // Medical answers again: the same transfer goes.
        var started = await Eventually.GetAsync(async () =>
        {
            try
            {
                return await custody.Custodian().TransferCustodyAsync(ToLviv(caseId));
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
                return null;
            }
        }, TimeSpan.FromSeconds(30), "the transfer once medical answers again");
        Assert.Contains("fitness for TRANSFER: FIT", started.Event.Note);
    }
}
