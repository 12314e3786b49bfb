using Microsoft.Extensions.Configuration;
using Registry.ServiceDefaults.Messaging;
using Registry.ServiceDefaults.Hosting;

namespace Registry.Deploy.Tests;

/// <summary>Retention settings that would delete the inbox's redelivery guard, or spin, stop a service at start.</summary>
public sealed class RetentionSettingsTests
{
    private static MessagingRetention Read(params (string Key, string Value)[] settings) =>
        MessagingRetention.From(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>($"{MessagingRetention.Section}:{s.Key}", s.Value)))
            .Build());

    [Fact]
    public void The_defaults_keep_sent_outbox_rows_a_week_and_inbox_rows_a_month()
    {
        var retention = Read();

        Assert.Equal(TimeSpan.FromDays(7), retention.OutboxSent);
        Assert.Equal(TimeSpan.FromDays(30), retention.Inbox);
    }

    [Theory]
    [InlineData("BatchSize", "0")]
    [InlineData("Interval", "00:00:00")]
    [InlineData("Interval", "-00:00:01")]
    [InlineData("Inbox", "-1.00:00:00")]
    [InlineData("Inbox", "01:00:00")]
    [InlineData("OutboxSent", "00:00:00")]
    public void An_unsafe_setting_is_refused_naming_it(string key, string value)
    {
        var refused = Assert.Throws<InvalidConfigurationException>(() => Read((key, value)));

        Assert.Contains($"{MessagingRetention.Section}:{key}", refused.Message);
    }
}
