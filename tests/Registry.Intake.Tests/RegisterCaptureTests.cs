using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Intake.Domain;
using Registry.Intake.Features.Cases;
using Registry.Protos.Intake.V1;
using Registry.Testing;

namespace Registry.Intake.Tests;

public sealed class RegisterCaptureTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    [Fact]
    public async Task Registering_a_capture_stores_the_case_and_announces_it_on_the_bus()
    {
        var request = Requests.Rifleman();

        var registered = (await intake.Client.RegisterCaptureAsync(request)).Case;

        Assert.Matches("^RC-[0-9]{6}$", registered.CaseNumber);
        var read = (await intake.Client.GetCaseAsync(new GetCaseRequest { CaseId = registered.CaseId })).Case;
        Assert.Equal(registered, read);
        Assert.Equal("리", read.Identity.FamilyName);
        Assert.Equal(2005, read.Identity.DateOfBirth.Year);
        Assert.Equal(0, read.Identity.DateOfBirth.Month);

        var announced = await Eventually.GetAsync(
            () => Task.FromResult(intake.Bus.Received.FirstOrDefault(e => e.Message.CaseId.ToString() == registered.CaseId)),
            TimeSpan.FromSeconds(30), "CaseRegistered on the bus");
        Assert.Equal(registered.CaseNumber, announced.Message.CaseNumber);
        Assert.Equal("Kursk region", announced.Message.CapturePlace);
        // The outbox row is marked sent, with the message id the consumers deduplicate on.
        await Eventually.TrueAsync(() => intake.QueryAsync(db => db.OutboxMessages.AnyAsync(
            m => m.MessageId == announced.MessageId && m.SentAt != null)), TimeSpan.FromSeconds(10), "the outbox row marked sent");
    }

    /// <summary>
    /// GetCase, each case-file read and every change of a case load the case by a query EF Core compiled once
    /// (<c>CaseStore.FindAsync</c>, <c>CompiledQuery</c>), so no run builds, parameterises and hashes a LINQ query to find it in
    /// EF Core's query cache (docs/performance.md, "Reads by key compiled once"). A LINQ query leaves its shape in that cache;
    /// the compiled ones leave nothing.
    /// </summary>
    [Fact]
    public async Task A_case_is_loaded_by_a_query_compiled_once_not_through_ef_cores_query_cache()
    {
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var caseId = Guid.Parse(registered.CaseId);
        await using var db = await intake.IsolatedContextAsync();
        await using var scope = intake.Service.Services.CreateAsyncScope();
        var store = ActivatorUtilities.CreateInstance<CaseStore>(scope.ServiceProvider, db);

        var found = await CompiledReads.FindsByKeyAsync(db, caseId, (id, tracked) => store.FindAsync(id, tracked, CancellationToken.None));
        Assert.Equal(registered.CaseNumber, CaptureCase.FormatCaseNumber(found.Number));
        await CompiledReads.LeftNoLinqQueryAsync(db, () => db.Cases.AsNoTracking().SingleAsync(c => c.CaseId == caseId));
    }

    [Fact]
    public async Task Registering_twice_with_the_same_request_id_returns_the_first_case()
    {
        var request = Requests.Rifleman();

        var first = await intake.Client.RegisterCaptureAsync(request);
        var second = await intake.Client.RegisterCaptureAsync(request);

        Assert.False(first.Replayed);
        Assert.True(second.Replayed);
        Assert.Equal(first.Case, second.Case);
        var requestId = Guid.Parse(request.RequestId);
        Assert.Equal(1, await intake.QueryAsync(db => db.Cases.CountAsync(c => c.RequestId == requestId)));
        var caseId = Guid.Parse(first.Case.CaseId);
        Assert.Equal(1, await intake.QueryAsync(db => db.OutboxMessages.CountAsync(m => m.Payload.Contains(caseId.ToString()))));
    }

    [Theory]
    [InlineData("upper case")]
    [InlineData("braces")]
    [InlineData("no hyphens")]
    [InlineData("parentheses and spaces")]
    public async Task A_retry_that_spells_the_request_id_otherwise_is_a_replay(string spelling)
    {
        var request = Requests.Rifleman();
        var first = await intake.Client.RegisterCaptureAsync(request);

        var retry = request.Clone();
        var id = Guid.Parse(request.RequestId);
        retry.RequestId = spelling switch
        {
            "upper case" => id.ToString("D").ToUpperInvariant(),
            "braces" => id.ToString("B").ToUpperInvariant(),
            "no hyphens" => id.ToString("N"),
            _ => " " + id.ToString("P") + " ",
        };
        var second = await intake.Client.RegisterCaptureAsync(retry);

        Assert.True(second.Replayed);
        Assert.Equal(first.Case, second.Case);
        Assert.Equal(1, await intake.QueryAsync(db => db.Cases.CountAsync(c => c.RequestId == id)));

        // Still a different request when anything else differs, however the id is spelled.
        retry.Capture.Place = "Sumy region";
        var conflict = await Assert.ThrowsAsync<RpcException>(() => intake.Client.RegisterCaptureAsync(retry).ResponseAsync);
        RpcAssert.RequestIdReused(conflict, id);
    }

    /// <summary>
    /// A request_id reused for a different registration is refused ALREADY_EXISTS either way; the earlier case is named
    /// only when it is the caller's own agency's (the agency field is the caller's own, as the access table scopes it), so
    /// another agency's reused id learns nothing about it.
    /// </summary>
    [Fact]
    public async Task A_reused_request_id_names_the_earlier_case_only_to_its_own_agency()
    {
        var request = Requests.Rifleman();
        var first = (await intake.Client.RegisterCaptureAsync(request)).Case;
        var id = Guid.Parse(request.RequestId);

        var sameAgency = request.Clone();
        sameAgency.Capture.Place = "Sumy region";
        var own = await Assert.ThrowsAsync<RpcException>(() => intake.Client.RegisterCaptureAsync(sameAgency).ResponseAsync);
        RpcAssert.RequestIdReused(own, id);
        Assert.Contains(first.CaseNumber, own.Status.Detail, StringComparison.Ordinal);

        var otherAgency = request.Clone();
        otherAgency.Capture.CapturingAgency = otherAgency.Capture.CapturingAgency == "UA-NGU" ? "UA-SSO" : "UA-NGU";
        var other = await Assert.ThrowsAsync<RpcException>(() => intake.Client.RegisterCaptureAsync(otherAgency).ResponseAsync);
        RpcAssert.RequestIdReused(other, id);
        Assert.DoesNotContain(first.CaseNumber, other.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(first.CaseId, other.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_retries_with_one_request_id_open_one_case()
    {
        var request = Requests.Rifleman();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => intake.Client.RegisterCaptureAsync(request).ResponseAsync));

        Assert.Single(responses.Select(r => r.Case.CaseId).Distinct());
        Assert.Single(responses, r => !r.Replayed);
        var requestId = Guid.Parse(request.RequestId);
        Assert.Equal(1, await intake.QueryAsync(db => db.Cases.CountAsync(c => c.RequestId == requestId)));
    }

    [Fact]
    public async Task Reusing_a_request_id_for_a_different_capture_is_refused()
    {
        var request = Requests.Rifleman();
        await intake.Client.RegisterCaptureAsync(request);
        var different = request.Clone();
        different.Identity.GivenNames = "Someone else";

        var error = await Assert.ThrowsAsync<RpcException>(() => intake.Client.RegisterCaptureAsync(different).ResponseAsync);

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
    }

    [Fact]
    public async Task Reading_an_unknown_case_answers_not_found()
    {
        var error = await Assert.ThrowsAsync<RpcException>(
            () => intake.Client.GetCaseAsync(new GetCaseRequest { CaseId = Guid.NewGuid().ToString() }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }
}
