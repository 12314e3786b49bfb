using Registry.ServiceDefaults.Hosting;
namespace Registry.ServiceDefaults.Messaging;

/// <summary>An amqp://user:password@host:port/vhost connection string, taken apart.</summary>
public sealed record RabbitMqAddress(string Host, ushort Port, string VirtualHost, string Username, string Password)
{
    public static RabbitMqAddress Parse(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("amqp" or "rabbitmq"))
        {
            throw new InvalidConfigurationException($"'{Redact(uri)}' is not an amqp:// URI.");
        }

        var user = parsed.UserInfo.Split(':', 2);
        var vhost = Uri.UnescapeDataString(parsed.AbsolutePath.TrimStart('/'));
        return new RabbitMqAddress(
            parsed.Host,
            (ushort)(parsed.IsDefaultPort || parsed.Port <= 0 ? 5672 : parsed.Port),
            vhost.Length == 0 ? "/" : vhost,
            user.Length > 0 && user[0].Length > 0 ? Uri.UnescapeDataString(user[0]) : "guest",
            user.Length > 1 ? Uri.UnescapeDataString(user[1]) : "guest");
    }

    private static string Redact(string uri) => uri.Contains('@') ? "amqp://***@" + uri[(uri.IndexOf('@') + 1)..] : uri;
}
