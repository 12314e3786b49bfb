using System.Diagnostics;
using System.Globalization;
using Yarp.ReverseProxy.Transforms;

namespace Registry.Gateway.Forwarding;

/// <summary>
/// Every forwarded unary call carries a deadline the owning service can honour. The caller's
/// <c>grpc-timeout</c> is read as the gRPC over HTTP/2 spec writes it (PROTOCOL-HTTP2.md: "Timeout →
/// "grpc-timeout" TimeoutValue TimeoutUnit", TimeoutValue 1 to 8 ASCII digits, TimeoutUnit one of
/// H M S m u n). A header that is absent, malformed (<c>abc</c>, <c>999999999S</c>: nine digits, a
/// sign, a space, a second value) or zero counts as none and gets
/// <see cref="BackendOptions.ForwardedCallTimeout"/>; a longer one than
/// <see cref="BackendOptions.MaxForwardedCallTimeout"/> is cut to it. The header is then rewritten in
/// the coarsest exact unit, so the service never sees a value it would ignore (grpc-dotnet ignores a
/// malformed or zero timeout and reads <c>1n</c> as zero, i.e. no deadline at all) and the call ends
/// DEADLINE_EXCEEDED instead of holding a database session for as long as a stuck query lasts.
/// A bulk call (ImportCaptures, <see cref="ForwardedMethods.IsBulk"/>) has its own cap,
/// <see cref="BackendOptions.MaxForwardedBulkCallTimeout"/>, which is also its deadline when the caller set none.
/// Streaming calls (the ICRC feed) are left as the caller sent them: they are meant to stay open.
/// </summary>
public sealed class ForwardedDeadlines(ForwardedMethods methods, TimeSpan timeout, TimeSpan maximum, TimeSpan bulkMaximum)
{
    private const string Header = "grpc-timeout";

    /// <summary>
    /// <see cref="HttpContext.Items"/> key of the instant (UTC <see cref="DateTime"/>) a forwarded unary call's deadline
    /// passes, counted from when <see cref="ForwardedCallGuard"/> took the call (it sets it, from <see cref="ForwardedTimeout"/>),
    /// so that the guard can tell a call the service cut at its deadline from one it failed, and cut one the service left open.
    /// </summary>
    public const string DeadlineItem = "registry.forwarded-deadline";
    private const int MaxDigits = 8;

    /// <summary>The deadline a forwarded request should carry: the caller's (capped), ours, or, for a stream, the caller's unchanged.</summary>
    public string? For(string path, string? callerTimeout)
    {
        if (!methods.IsUnary(path))
        {
            return string.IsNullOrEmpty(callerTimeout) ? null : callerTimeout;
        }

        var asked = Parse(callerTimeout);
        var (cap, fallback) = methods.IsBulk(path) ? (bulkMaximum, bulkMaximum) : (maximum, timeout);
        return Encode(asked is { } t ? (t < cap ? t : cap) : fallback);
    }

    /// <summary>The <c>grpc-timeout</c> a request is forwarded with (<see cref="For"/> of its path and its caller's header).</summary>
    public string? For(HttpRequest request)
    {
        var caller = request.Headers[Header];
        return For(request.Path.Value ?? "", caller.Count == 1 ? caller.ToString() : caller.Count == 0 ? null : "");
    }

    /// <summary>
    /// How long after it arrives a unary call's forwarded deadline passes (<see cref="For(HttpRequest)"/>, as a duration);
    /// null for a streaming call, which keeps its caller's deadline or none.
    /// </summary>
    public TimeSpan? ForwardedTimeout(HttpRequest request) =>
        methods.IsUnary(request.Path.Value ?? "") ? Parse(For(request)) : null;

    public void Apply(RequestTransformContext context)
    {
        var request = context.HttpContext.Request;
        var forwarded = For(request);
        context.ProxyRequest.Headers.Remove(Header);
        if (forwarded is not null)
        {
            context.ProxyRequest.Headers.TryAddWithoutValidation(Header, forwarded);
        }
    }

    /// <summary>
    /// A <c>grpc-timeout</c> value as a duration, or null when it is absent, malformed or zero.
    /// Nanoseconds round up to the next 100 ns tick (<c>1n</c> is a deadline already past, not none).
    /// </summary>
    public static TimeSpan? Parse(string? header)
    {
        if (header is null || header.Length < 2 || header.Length > MaxDigits + 1)
        {
            return null;
        }

        long value = 0;
        foreach (var c in header.AsSpan(0, header.Length - 1))
        {
            if (c is < '0' or > '9')
            {
                return null;
            }

            value = value * 10 + (c - '0');
        }

        if (value == 0)
        {
            return null;
        }

        // At most 99,999,999 of any unit: 99,999,999 H is 3.6e15 ticks, far inside TimeSpan.
        return header[^1] switch
        {
            'H' => TimeSpan.FromTicks(value * TimeSpan.TicksPerHour),
            'M' => TimeSpan.FromTicks(value * TimeSpan.TicksPerMinute),
            'S' => TimeSpan.FromTicks(value * TimeSpan.TicksPerSecond),
            'm' => TimeSpan.FromTicks(value * TimeSpan.TicksPerMillisecond),
            'u' => TimeSpan.FromTicks(value * (TimeSpan.TicksPerMillisecond / 1000)),
            'n' => TimeSpan.FromTicks((value + 99) / 100),
            _ => null,
        };
    }

    /// <summary>
    /// grpc-timeout's form: at most 8 digits and a unit, the coarsest unit that is exact (30 s is <c>30S</c>,
    /// 1.5 s <c>1500m</c>); a value no unit holds exactly in 8 digits is rounded up in the finest unit that
    /// holds it. Never zero (a zero timeout would read as none).
    /// </summary>
    public static string Encode(TimeSpan timeout)
    {
        const long Max = 99_999_999;
        var ticks = Math.Max(1, timeout.Ticks);
        (char Unit, long Ticks)[] units =
            [('H', TimeSpan.TicksPerHour), ('M', TimeSpan.TicksPerMinute), ('S', TimeSpan.TicksPerSecond), ('m', TimeSpan.TicksPerMillisecond), ('u', 10)];
        foreach (var (unit, perUnit) in units)
        {
            if (ticks % perUnit == 0 && ticks / perUnit <= Max)
            {
                return (ticks / perUnit).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        if (ticks <= Max / 100)
        {
            return (ticks * 100).ToString(CultureInfo.InvariantCulture) + "n";
        }

        foreach (var (unit, perUnit) in Enumerable.Reverse(units))
        {
            var value = ticks / perUnit + (ticks % perUnit == 0 ? 0 : 1);
            if (value <= Max || unit == 'H')
            {
                return Math.Min(value, Max).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        throw new UnreachableException();
    }
}
