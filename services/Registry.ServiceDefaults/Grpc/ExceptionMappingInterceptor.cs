using System.Data.Common;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Registry.ServiceDefaults.Domain;

namespace Registry.ServiceDefaults.Grpc;

/// <summary>
/// Turns a failing dependency into <c>Unavailable</c> (safe to retry) instead of the
/// <c>Unknown</c> a caller would otherwise get; the caller did nothing wrong. A domain rule that
/// refused the change becomes <c>FailedPrecondition</c> naming the rule. A value the database refused
/// (<see cref="RefusedValueState"/>: too long for its column, out of range, against a check) is no outage: a retry
/// meets it again, so it is <c>Internal</c> (<see cref="RpcErrors.StoreRefusedValue"/>), logged as an error,
/// not <c>Unavailable</c> with advice to retry (a name NFKC lengthened past its column was answered that way).
/// </summary>
public sealed class ExceptionMappingInterceptor(ILogger<ExceptionMappingInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (RuleViolationException ex)
        {
            throw RpcErrors.FailedPrecondition(ex.Reason, ex.ResourceType, ex.Subject, ex.Message);
        }
        catch (Exception ex) when (RefusedValueState(ex) is { } state)
        {
            throw StoreRefused(ex, state, context);
        }
        catch (Exception ex) when (IsDependencyFailure(ex))
        {
            logger.LogWarning(ex, "{Method} failed on a dependency", context.Method);
            throw RpcErrors.Unavailable("A backing store is unavailable; retry later.");
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (RuleViolationException ex)
        {
            throw RpcErrors.FailedPrecondition(ex.Reason, ex.ResourceType, ex.Subject, ex.Message);
        }
        catch (Exception ex) when (RefusedValueState(ex) is { } state)
        {
            throw StoreRefused(ex, state, context);
        }
        catch (Exception ex) when (IsDependencyFailure(ex))
        {
            logger.LogWarning(ex, "{Method} failed on a dependency", context.Method);
            throw RpcErrors.Unavailable("A backing store is unavailable; retry later.");
        }
    }

    /// <summary>The status this interceptor gives <paramref name="ex"/> (what an audit records for a call that threw it).</summary>
    public static StatusCode StatusOf(Exception ex) => ex switch
    {
        RpcException rpc => rpc.StatusCode,
        RuleViolationException => StatusCode.FailedPrecondition,
        OperationCanceledException => StatusCode.Cancelled,
        _ when RefusedValueState(ex) is not null => StatusCode.Internal,
        _ when IsDependencyFailure(ex) => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    private RpcException StoreRefused(Exception ex, string state, ServerCallContext context)
    {
        logger.LogError(ex, "{Method}: the database refused a value the service wrote (SQLSTATE {SqlState}); a fault of the registry", context.Method, state);
        return RpcErrors.StoreRefusedValue(state, System.Diagnostics.Activity.Current?.TraceId.ToString());
    }

    /// <summary>
    /// The SQLSTATE of a value the database refused, anywhere in the chain, else null: class 22 (data exception: a value
    /// too long, out of range, not valid for its type), 23502 (not null) and 23514 (check), which fail the same way
    /// whenever the same request is sent (PostgreSQL, Appendix A). Unique and foreign-key violations are left out: they can
    /// come from a concurrent write, and a retry may pass.
    /// </summary>
    public static string? RefusedValueState(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is DbException { SqlState: { Length: 5 } state } && (state.StartsWith("22", StringComparison.Ordinal) || state is "23502" or "23514"))
            {
                return state;
            }
        }

        return null;
    }

    /// <summary>
    /// A database or a timeout anywhere in the chain: EF Core wraps what Npgsql throws, sometimes twice (a
    /// PostgreSQL restart's 57P01 arrives as InvalidOperationException "transient failure" around a
    /// DbUpdateException around the PostgresException), and the caller should hear UNAVAILABLE for all of them.
    /// </summary>
    private static bool IsDependencyFailure(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is DbException or TimeoutException)
            {
                return true;
            }
        }

        return false;
    }
}
