using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Contracts;
using Registry.Medical.Features.Inspections;
using Registry.Testing;

namespace Registry.Medical.Tests;

/// <summary>
/// A monthly inspection (GC III Art. 31) is owed while the person is held: custody's end of captivity stops it for good,
/// an escape until the recapture. The overdue gauge counts only the records that owe one, so that a released person's
/// missed inspection does not page an operator for ever.
/// </summary>
public sealed class InspectionsOwedTests(MedicalFixture medical) : IClassFixture<MedicalFixture>
{
    private static readonly TimeSpan Applied = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Released_and_escaped_persons_owe_no_inspection_until_a_recapture()
    {
        var (held, released, escaped) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        foreach (var caseId in new[] { held, released, escaped })
        {
            await medical.Bus.Publisher.Publish(Registered(caseId));
        }

        await Eventually.TrueAsync(() => medical.QueryAsync(db => db.Records.CountAsync(r => r.CaseId == held || r.CaseId == released || r.CaseId == escaped)).ContinueWith(t => t.Result == 3),
            Applied, "the three medical records to open");

        // A month and more on, all three inspections are late: each owes one.
        Assert.Equal(3, await OverdueAmongAsync([held, released, escaped]));

        await medical.Bus.Publisher.Publish(new CaptivityEnded { CaseId = released, EndedAt = DateTimeOffset.UtcNow, Way = "RELEASED" });
        await medical.Bus.Publisher.Publish(new PrisonerEscaped { CaseId = escaped, EscapedAt = DateTimeOffset.UtcNow.AddMinutes(-5), From = "Camp 1" });
        await Eventually.TrueAsync(() => medical.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == released && r.CaptivityEndedAt != null)), Applied, "the end of captivity applied");
        await Eventually.TrueAsync(() => medical.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == escaped && r.EscapedAt != null)), Applied, "the escape applied");
        Assert.Equal(1, await OverdueAmongAsync([held, released, escaped]));

        // Recaptured: owed again. A recapture of an older escape than the one known would not count.
        await medical.Bus.Publisher.Publish(new PrisonerRecaptured { CaseId = escaped, RecapturedAt = DateTimeOffset.UtcNow, Facility = "Camp 1", CustodianAgency = "UA-SBU" });
        await Eventually.TrueAsync(() => medical.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == escaped && r.EscapedAt == null)), Applied, "the recapture applied");
        Assert.Equal(2, await OverdueAmongAsync([held, released, escaped]));
    }

    /// <summary>What the gauge's probe counts a day after the latest of their inspections falls due (the class's database holds these records alone).</summary>
    private async Task<long> OverdueAmongAsync(Guid[] cases)
    {
        var due = await medical.QueryAsync(db => db.Records.Where(r => cases.Contains(r.CaseId)).MaxAsync(r => r.ExaminationDueBy));
        var probe = new OverdueInspectionsProbe(medical.Service.Services.GetRequiredService<IServiceScopeFactory>(), TimeProvider.System);
        return await probe.CountAsync(due.AddDays(1), CancellationToken.None);
    }

    private static CaseRegistered Registered(Guid caseId) => new()
    {
        CaseId = caseId,
        CaseNumber = "RC-" + caseId.ToString("N")[..6],
        FamilyName = "Pak",
        GivenNames = "Chol",
        CapturedAt = DateTimeOffset.UtcNow.AddDays(-1),
        CapturePlace = "Kursk region",
        CapturingAgency = "UA-SSO",
        RegisteredAt = DateTimeOffset.UtcNow,
    };
}
