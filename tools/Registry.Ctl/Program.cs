using Registry.Ctl;

const string usage = """
    registryctl — operator commands for the registry

      registryctl move-errors <queue> [--broker amqp://user:password@host:5672/vhost] [--max N]
          Moves the messages waiting in <queue>_error back to <queue> (e.g. custody-case-registered),
          once whatever made the consumer fail is fixed. Each is confirmed by the broker before it
          leaves the error queue. --broker defaults to ConnectionStrings__RabbitMq.
          Move a message back within the consumers' inbox window (Messaging:Retention:Inbox, 30 days
          by default): the inbox then recognises one that was applied after all. Older, its inbox row
          may be deleted and it would be applied again; raise the window to park messages longer.
          Sent outbox rows are kept Messaging:Retention:OutboxSent (7 days).
    """;

if (args is not ["move-errors", var queue, .. var rest])
{
    Console.Error.WriteLine(usage);
    return 2;
}

var broker = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
int? max = null;
for (var i = 0; i < rest.Length; i++)
{
    switch (rest[i])
    {
        case "--broker" when i + 1 < rest.Length: broker = rest[++i]; break;
        case "--max" when i + 1 < rest.Length: max = int.Parse(rest[++i]); break;
        default:
            Console.Error.WriteLine($"unknown option {rest[i]}\n\n{usage}");
            return 2;
    }
}

if (string.IsNullOrWhiteSpace(broker))
{
    Console.Error.WriteLine("No broker: pass --broker amqp://... or set ConnectionStrings__RabbitMq.");
    return 2;
}

var moved = await ErrorQueues.MoveBackAsync(broker, queue, max);
Console.WriteLine($"moved {moved} message(s) from {queue}_error back to {queue}");
return 0;
