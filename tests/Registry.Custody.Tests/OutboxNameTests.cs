using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.ServiceDefaults.Messaging;
using Registry.Testing;

namespace Registry.Custody.Tests;

public sealed class OutboxNameTests(CustodyFixture custody) : IClassFixture<CustodyFixture>
{
    [Theory]
    [InlineData("urn:message:Registry.Contracts:CustodyAdmitted")] // the stable name the outbox stores now
    [InlineData("Registry.Contracts.CustodyAdmitted")] // the CLR full name rows written before it hold
    public async Task An_outbox_row_is_published_whichever_name_it_was_written_under(string messageType)
    {
        var caseId = Guid.NewGuid();
        var messageId = NewId.NextGuid();
        await custody.QueryAsync(db =>
        {
            db.OutboxMessages.Add(new OutboxMessage
            {
                MessageId = messageId,
                MessageType = messageType,
                Payload = JsonSerializer.Serialize(new CustodyAdmitted
                {
                    CaseId = caseId, AdmittedAt = DateTimeOffset.UtcNow, Facility = "Camp 1", CustodianAgency = "UA-SSO",
                }),
                CreatedAt = DateTimeOffset.UtcNow,
            });
            return db.SaveChangesAsync();
        });

        var published = await custody.Events.WaitForAsync<CustodyAdmitted>(m => m.CaseId == caseId, "the outbox row published");

        Assert.Equal("Camp 1", published.Facility);
        Assert.Contains(custody.Events.Received, r => r.MessageId == messageId);
        await Eventually.TrueAsync(() => custody.QueryAsync(db => db.OutboxMessages.AnyAsync(m => m.MessageId == messageId && m.SentAt != null)),
            TimeSpan.FromSeconds(10), "the row marked sent");
    }

    [Fact]
    public void A_new_event_is_stored_under_its_stable_name()
    {
        var message = OutboxMessage.Create(new CustodyAdmitted
        {
            CaseId = Guid.NewGuid(), AdmittedAt = DateTimeOffset.UtcNow, Facility = "Camp 1", CustodianAgency = "UA-SSO",
        }, DateTimeOffset.UtcNow);

        Assert.Equal("urn:message:Registry.Contracts:CustodyAdmitted", message.MessageType);
    }
}
