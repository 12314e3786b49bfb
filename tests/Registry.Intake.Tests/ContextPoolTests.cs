using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Intake.Data;

namespace Registry.Intake.Tests;

/// <summary>
/// Issue 15: each scope (a call, a consumed message, a background round) leases its context from EF Core's pool
/// (<c>RegistryDatabase.ContextPoolSize</c>) instead of building one, and gets it back reset.
/// </summary>
public sealed class ContextPoolTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    [Fact]
    public async Task A_scope_leases_a_pooled_context_that_the_scope_before_it_left_reset()
    {
        var registered = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var caseId = Guid.Parse(registered.CaseId);
        DbContextId first;
        await using (var scope = intake.Service.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IntakeDbContext>();
            first = db.ContextId;
            Assert.NotNull(await db.Cases.SingleAsync(c => c.CaseId == caseId));
            Assert.NotEmpty(db.ChangeTracker.Entries());
            db.Database.AutoSavepointsEnabled = false;
            db.Database.SetCommandTimeout(TimeSpan.FromSeconds(3));
        }

        // The pool hands out its idle contexts in turn, and the service's background work leases them too: the first
        // comes back within a few scopes.
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            await using var scope = intake.Service.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IntakeDbContext>();
            if (db.ContextId.InstanceId != first.InstanceId)
            {
                continue;
            }

            Assert.True(db.ContextId.Lease > first.Lease, $"lease {db.ContextId.Lease} after {first.Lease}");
            Assert.Empty(db.ChangeTracker.Entries());
            Assert.True(db.Database.AutoSavepointsEnabled);
            Assert.NotEqual(3, db.Database.GetCommandTimeout());
            return;
        }

        Assert.Fail("1,000 scopes never got the first scope's context back: contexts are not pooled.");
    }
}
