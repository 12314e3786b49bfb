using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Registry.Intake.Tests;

/// <summary>
/// A commit cut by its caller's cancellation (a search whose deadline passed between its read and its commit, seen on a
/// million-case registry) is routine: EF Core's "An error occurred using a transaction" is not an Error in the service's log
/// (RegistryDatabase.HandledFailures), and the cancellation still reaches the caller.
/// </summary>
public sealed class TransactionLogTests(RoundTripIntakeFixture intake) : IClassFixture<RoundTripIntakeFixture>
{
    [Fact]
    public async Task A_commit_cancelled_by_the_caller_is_not_logged_as_an_error()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => intake.QueryAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await db.Cases.AnyAsync();
            await transaction.CommitAsync(cancelled.Token);
            return true;
        }));

        // The service logs EF Core at Warning and above: the line, now Information, does not pass (at Error it did).
        Assert.DoesNotContain(intake.Logs.Entries, e => e.Category == DbLoggerCategory.Database.Transaction.Name && e.Level >= LogLevel.Warning);
    }
}
