using System.Globalization;
using System.Threading.RateLimiting;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Microsoft.AspNetCore.RateLimiting;
using Registry.ServiceDefaults.Security;
using Registry.ServiceDefaults.Hosting;

namespace Registry.Gateway.Limits;

/// <summary>One token bucket: <see cref="TokenLimit"/> calls at once, refilled by <see cref="TokensPerPeriod"/> every <see cref="ReplenishmentPeriod"/>.</summary>
public sealed class TokenBucketSetting
{
    public int TokenLimit { get; set; } = 200;
    public int TokensPerPeriod { get; set; } = 100;
    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Limits per caller at the gateway (OWASP API Security Top 10 2023, API4: unrestricted resource
/// consumption), configuration section <c>RateLimits</c>: a token bucket per OAuth client id (per remote
/// address for calls without a valid token), sized by role: <c>RateLimits:Default</c>, and
/// <c>RateLimits:Roles:{role}</c> for a role that needs more or less (a client with several roles gets its
/// most generous). A call over the limit answers RESOURCE_EXHAUSTED with <c>google.rpc.RetryInfo</c>
/// saying when to try again; one noisy client never slows another, whose bucket is its own.
/// </summary>
public sealed class CallerRateLimits
{
    public const string Section = "RateLimits";
    public const string Policy = "per-client";

    public TokenBucketSetting Default { get; set; } = new();
    public Dictionary<string, TokenBucketSetting> Roles { get; set; } = [];

    public static CallerRateLimits From(IConfiguration configuration)
    {
        var limits = configuration.GetSection(Section).Get<CallerRateLimits>() ?? new CallerRateLimits();
        foreach (var (name, bucket) in limits.Roles.Append(new("Default", limits.Default)))
        {
            if (name != "Default" && !RegistryRoles.All.Contains(name))
            {
                throw new InvalidConfigurationException($"{Section}:Roles:{name} names no role (roles: {string.Join(", ", RegistryRoles.All)}).");
            }

            if (bucket.TokenLimit <= 0 || bucket.TokensPerPeriod <= 0 || bucket.ReplenishmentPeriod <= TimeSpan.Zero)
            {
                throw new InvalidConfigurationException($"{Section}:{(name == "Default" ? "Default" : $"Roles:{name}")} must have a positive TokenLimit, TokensPerPeriod and ReplenishmentPeriod.");
            }
        }

        return limits;
    }

    /// <summary>The bucket of a caller: its most generous role's, else the default.</summary>
    public TokenBucketSetting For(IEnumerable<string> roles) =>
        roles.Select(r => Roles.GetValueOrDefault(r)).OfType<TokenBucketSetting>()
            .OrderByDescending(b => b.TokensPerPeriod / b.ReplenishmentPeriod.TotalSeconds).FirstOrDefault() ?? Default;
}

public static class CallerRateLimiting
{
    public static IServiceCollection AddCallerRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = CallerRateLimits.From(configuration);
        var auth = RegistryAuthOptions.From(configuration);
        services.AddSingleton(limits);
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(CallerRateLimits.Policy, context =>
            {
                var caller = CallerIdentity.From(context.User, auth);
                var (key, bucket) = caller is null
                    ? ($"anonymous:{context.Connection.RemoteIpAddress}", limits.Default)
                    : ($"client:{caller.ClientId}", limits.For(caller.Roles));
                return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = bucket.TokenLimit,
                    TokensPerPeriod = bucket.TokensPerPeriod,
                    ReplenishmentPeriod = bucket.ReplenishmentPeriod,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            o.OnRejected = (rejected, _) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
                var caller = CallerIdentity.From(rejected.HttpContext.User, auth);
                var status = new Google.Rpc.Status
                {
                    Code = (int)Code.ResourceExhausted,
                    Message = $"Too many calls from {(caller is null ? "this address" : $"client '{caller.ClientId}'")}; try again in {retryAfter.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s.",
                    Details =
                    {
                        Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) }),
                        Any.Pack(new QuotaFailure { Violations = { new QuotaFailure.Types.Violation { Subject = caller is null ? "anonymous" : $"clients/{caller.ClientId}", Description = "calls per period at the gateway (RateLimits)" } } }),
                    },
                };
                return new ValueTask(AccessRefusals.WriteAsync(rejected.HttpContext, status));
            };
        });
        return services;
    }
}
