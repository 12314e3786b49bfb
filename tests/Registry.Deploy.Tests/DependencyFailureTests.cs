using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Registry.ServiceDefaults.Grpc;
using Registry.Testing;

namespace Registry.Deploy.Tests;

/// <summary>
/// A database that goes away mid-call is UNAVAILABLE (retry) to the caller, however deeply EF Core wraps
/// what Npgsql threw. The PostgreSQL drill (tools/drills.sh postgres) met one answered UNKNOWN: a restart's
/// 57P01 as InvalidOperationException "transient failure" around a DbUpdateException around the PostgresException.
/// </summary>
public sealed class DependencyFailureTests
{
    public static TheoryData<Exception> Failures => new()
    {
        new NpgsqlException("connection refused"),
        new TimeoutException("pool wait"),
        new DbUpdateException("save failed", new NpgsqlException("57P01: terminating connection due to administrator command")),
        new InvalidOperationException("An exception has been raised that is likely due to a transient failure.",
            new DbUpdateException("save failed", new NpgsqlException("57P01: terminating connection due to administrator command"))),
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_database_failure_however_wrapped_is_unavailable(Exception failure)
    {
        var interceptor = new ExceptionMappingInterceptor(NullLogger<ExceptionMappingInterceptor>.Instance);

        var answered = await Assert.ThrowsAsync<RpcException>(() =>
            interceptor.UnaryServerHandler<string, string>("request", new TestServerCallContext(), (_, _) => throw failure));

        Assert.Equal(StatusCode.Unavailable, answered.StatusCode);
    }

    [Fact]
    public async Task A_fault_of_our_own_is_not_called_a_dependency_failure()
    {
        var interceptor = new ExceptionMappingInterceptor(NullLogger<ExceptionMappingInterceptor>.Instance);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            interceptor.UnaryServerHandler<string, string>("request", new TestServerCallContext(), (_, _) => throw new InvalidOperationException("a bug")));
    }

    [Fact]
    public async Task A_stream_whose_caller_hung_up_ends_quietly_and_one_that_failed_on_its_own_still_throws()
    {
        var interceptor = new ExceptionMappingInterceptor(NullLogger<ExceptionMappingInterceptor>.Instance);
        using var hungUp = new CancellationTokenSource();
        await hungUp.CancelAsync();

        // The feed's reader gone (its token fired): the cancellation, or a write after the request completed, is no error.
        await interceptor.ServerStreamingServerHandler<string, string>("request", null!, new TestServerCallContext(cancellation: hungUp.Token), (_, _, _) => throw new OperationCanceledException(hungUp.Token));
        await interceptor.ServerStreamingServerHandler<string, string>("request", null!, new TestServerCallContext(cancellation: hungUp.Token),
            (_, _, _) => throw new InvalidOperationException("Can't write the message because the request is complete."));
        // The same exceptions while the caller is still there are faults, and still thrown.
        await Assert.ThrowsAsync<InvalidOperationException>(() => interceptor.ServerStreamingServerHandler<string, string>("request", null!, new TestServerCallContext(),
            (_, _, _) => throw new InvalidOperationException("a bug")));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => interceptor.ServerStreamingServerHandler<string, string>("request", null!, new TestServerCallContext(),
            (_, _, _) => throw new OperationCanceledException()));
    }
}
