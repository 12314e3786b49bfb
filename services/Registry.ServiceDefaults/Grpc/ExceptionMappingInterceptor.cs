using System.Data.Common;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Domain;

namespace Registry.ServiceDefaults.Grpc;

/// <summary>
/// Turns a failing dependency into <c>Unavailable</c> (safe to retry) instead of the
/// <c>Unknown</c> a caller would otherwise get; the caller did nothing wrong. A domain rule that
/// refused the change becomes <c>FailedPrecondition</c> naming the rule. A value the database refused
/// (<see cref="RefusedValue"/>: too long for its column, out of range, against a check) is no outage: a retry
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
        catch (Exception ex) when (RefusedValue.Of(ex) is { } value)
        {
            throw StoreRefused(ex, value, context);
        }
        catch (Exception ex) when (context.CancellationToken.IsCancellationRequested && IsCancellation(ex))
        {
            // The caller gave up or the call's bound passed, and the database statement in flight was cancelled with it
            // (PostgreSQL's 57014, wrapped by EF Core): the call's own end, not a failing dependency, and no warning with a
            // stack trace. The bound's DEADLINE_EXCEEDED is given by CallLimitsInterceptor.
            logger.LogDebug("{Method}: cancelled with its call ({Exception})", context.Method, ex.GetType().Name);
            throw new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled: its caller gave up or its deadline passed."));
        }
        catch (Exception ex) when (IsDependencyFailure(ex))
        {
            logger.LogWarning(ex, "{Method} failed on a dependency", context.Method);
            throw RpcErrors.Unavailable("A backing store is unavailable; retry later.");
        }
    }

    /// <summary>
    /// Whether <paramref name="ex"/>, or an exception it wraps, is a cancellation: .NET's, or a PostgreSQL statement cancelled
    /// on request (SQLSTATE 57014 query_canceled, what Npgsql sends when the statement's token fires).
    /// </summary>
    private static bool IsCancellation(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is OperationCanceledException || (e is DbException db && db.SqlState == "57014"))
            {
                return true;
            }
        }

        return false;
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (CallerGone(context, ex))
        {
            // A reader that hung up (the ICRC feed's reader does so to resume later from its cursor): routine, and no one is
            // left to hear a status. The access audit inside has recorded it CANCELLED; an error with its stack trace in the
            // host's log for each, as before, would page an operator for nothing.
            logger.LogDebug("{Method}: the caller hung up ({Exception})", context.Method, ex.GetType().Name);
        }
        catch (RuleViolationException ex)
        {
            throw RpcErrors.FailedPrecondition(ex.Reason, ex.ResourceType, ex.Subject, ex.Message);
        }
        catch (Exception ex) when (RefusedValue.Of(ex) is { } value)
        {
            throw StoreRefused(ex, value, context);
        }
        catch (Exception ex) when (IsDependencyFailure(ex))
        {
            logger.LogWarning(ex, "{Method} failed on a dependency", context.Method);
            throw RpcErrors.Unavailable("A backing store is unavailable; retry later.");
        }
    }

    /// <summary>
    /// Whether <paramref name="ex"/> only says that the caller of a stream has gone (its call's token fired: it hung up, or
    /// its deadline passed): the cancellation itself, a write after the request completed, a reset connection.
    /// </summary>
    public static bool CallerGone(ServerCallContext context, Exception ex) =>
        context.CancellationToken.IsCancellationRequested
        && ex is OperationCanceledException or IOException or InvalidOperationException or RpcException { StatusCode: StatusCode.Cancelled };

    /// <summary>The status this interceptor gives <paramref name="ex"/> (what an audit records for a call that threw it).</summary>
    public static StatusCode StatusOf(Exception ex) => ex switch
    {
        RpcException rpc => rpc.StatusCode,
        RuleViolationException => StatusCode.FailedPrecondition,
        OperationCanceledException => StatusCode.Cancelled,
        _ when RefusedValue.Of(ex) is not null => StatusCode.Internal,
        _ when IsDependencyFailure(ex) => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    private RpcException StoreRefused(Exception ex, RefusedValue value, ServerCallContext context)
    {
        logger.LogError(ex, "{Method}: the store refused a value the service wrote ({Refusal}); a fault of the registry", context.Method, value.Description);
        return RpcErrors.StoreRefusedValue(value.Code, System.Diagnostics.Activity.Current?.TraceId.ToString());
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
