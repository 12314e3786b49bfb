using System.Globalization;
using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Yarp.ReverseProxy.Transforms;

namespace Registry.Gateway.Forwarding;

/// <summary>
/// Every forwarded unary call carries a deadline. A caller that sent none (grpc-timeout absent) gets
/// <see cref="BackendOptions.ForwardedCallTimeout"/>, which the owning service enforces: the call ends
/// DEADLINE_EXCEEDED instead of holding a connection and a database session for as long as a stuck
/// query lasts. A caller's own deadline passes unchanged. Streaming calls (the ICRC feed) are left
/// alone: they are meant to stay open.
/// </summary>
public sealed class ForwardedDeadlines
{
    private const string Header = "grpc-timeout";
    private readonly HashSet<string> _unary;
    private readonly string _timeout;

    public ForwardedDeadlines(IEnumerable<ServiceDescriptor> services, TimeSpan timeout)
    {
        _unary = services.SelectMany(s => s.Methods)
            .Where(m => !m.IsClientStreaming && !m.IsServerStreaming)
            .Select(m => $"/{m.Service.FullName}/{m.Name}")
            .ToHashSet(StringComparer.Ordinal);
        _timeout = Encode(timeout);
    }

    /// <summary>The deadline a forwarded request should carry: the caller's, ours, or none (a stream).</summary>
    public string? For(string path, string? callerTimeout) =>
        !string.IsNullOrEmpty(callerTimeout) ? callerTimeout
        : _unary.Contains(path) ? _timeout
        : null;

    public void Apply(RequestTransformContext context)
    {
        var caller = context.HttpContext.Request.Headers[Header].ToString();
        if (string.IsNullOrEmpty(caller) && For(context.HttpContext.Request.Path.Value ?? "", null) is { } timeout)
        {
            context.ProxyRequest.Headers.TryAddWithoutValidation(Header, timeout);
        }
    }

    /// <summary>grpc-timeout's form: at most 8 digits and a unit (H, M, S, m, u, n), the coarsest that is exact.</summary>
    public static string Encode(TimeSpan timeout)
    {
        var ticks = Math.Max(1, timeout.Ticks);
        foreach (var (unit, perUnit) in new (char Unit, long Ticks)[]
            { ('H', TimeSpan.TicksPerHour), ('M', TimeSpan.TicksPerMinute), ('S', TimeSpan.TicksPerSecond), ('m', TimeSpan.TicksPerMillisecond), ('u', 10) })
        {
            if (ticks % perUnit == 0 && ticks / perUnit <= 99_999_999)
            {
                return (ticks / perUnit).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        // One tick is 100 ns; beyond 8 digits of nanoseconds, round up to microseconds.
        return ticks * 100 <= 99_999_999 ? (ticks * 100).ToString(CultureInfo.InvariantCulture) + "n"
            : ((ticks + 9) / 10).ToString(CultureInfo.InvariantCulture) + "u";
    }
}
