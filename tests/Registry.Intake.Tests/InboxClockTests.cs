using MassTransit;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Testing;

namespace Registry.Intake.Tests;

public sealed class InboxClockTests(ClockedIntakeFixture intake) : IClassFixture<ClockedIntakeFixture>
{
    [Fact]
    public async Task The_inbox_stamps_a_message_with_the_time_of_the_services_clock()
    {
        // A year away from the machine's clock, so that only the service's TimeProvider can explain the stamp.
        intake.Clock.Advance(TimeSpan.FromDays(365));
        var expected = intake.Clock.GetUtcNow();
        var messageId = NewId.NextGuid();

        await intake.Bus.Publisher.Publish(new PatientHospitalised
        {
            CaseId = Guid.NewGuid(), HospitalisedAt = DateTimeOffset.UtcNow, Hospital = "Military hospital, Kyiv",
        }, c => c.MessageId = messageId);

        var row = await Eventually.GetAsync(
            () => intake.QueryAsync(db => db.InboxMessages.AsNoTracking().SingleOrDefaultAsync(m => m.MessageId == messageId)),
            TimeSpan.FromSeconds(30), "the message recorded in the inbox");
        // PostgreSQL keeps microseconds; the clock has ticks.
        Assert.True((row.ProcessedAt - expected).Duration() < TimeSpan.FromMilliseconds(1),
            $"processed at {row.ProcessedAt:O}, the service's clock said {expected:O}");
    }
}
