using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Registry.Gateway.Forwarding;

/// <summary>
/// Makes every way a forwarded gRPC call can end without the service's own status end in
/// UNAVAILABLE (gRPC's "transient, retry", with a message saying why), so a client retries or a
/// stream reader reconnects from its last cursor, instead of the CANCELLED or INTERNAL that an
/// HTTP/2 stream reset would give (gRPC over HTTP/2: RST_STREAM CANCEL maps to CANCELLED, others
/// to INTERNAL):
/// <list type="bullet">
/// <item>the service died or its connection broke after the response began: YARP would reset the
/// stream; the call is ended with <c>grpc-status: 14</c> trailers instead (at a message boundary;
/// mid-message a reset is the only honest end, and it is passed on);</item>
/// <item>the service failed before answering: YARP's 502/504 (which clients read as UNAVAILABLE too)
/// becomes a trailers-only gRPC answer that names the cause;</item>
/// <item>a unary call whose forwarded deadline (<see cref="ForwardedDeadlines"/>) had passed when the service ended it
/// without an answer (a server may reset the stream at its deadline) ends DEADLINE_EXCEEDED, as it would have
/// ended had the service answered;</item>
/// <item>a unary call the service has not begun to answer <see cref="DeadlineGrace"/> after its forwarded deadline (a hung
/// process, a network that drops packets) is cut by the gateway there and ends DEADLINE_EXCEEDED, with a warning: the caller,
/// who may have set no deadline or a longer one than the gateway forwards, does not wait for YARP's activity timeout (100 s).
/// An answer begun by then is left to reach the caller, however slowly it reads;</item>
/// <item>the gateway is shutting down: open streams (see <see cref="ForwardedMethods"/>) are ended at
/// once with UNAVAILABLE rather than held until the host's shutdown timeout and then cut. Unary calls
/// in flight finish normally.</item>
/// </list>
/// A call whose caller hung up is left to end as it does.
/// <para>
/// The guard also logs every forwarding failure, in YARP's place (<see cref="GatewayModule"/> turns off YARP's own
/// ForwardingError warnings): the caller's own deadline or cancel, and the service ending a call at that deadline, in one
/// Debug line without the exception; a failure of the caller's side of the stream in one Information line; any other,
/// the service's, the connection's or the gateway's, as a warning with its exception, a service that let the deadline
/// pass without ending the call (the failure came later than a grace of 2 s, or was YARP's activity timeout) too.
/// YARP logged them all at Warning with a stack trace when the caller's reset raced the copy of the request body: Kestrel
/// fails the body read at once but signals RequestAborted later (from the thread pool), so YARP saw a client
/// error (RequestBodyClient), not a cancel; and a service answers a passed deadline with DEADLINE_EXCEEDED and then
/// resets the stream (CANCEL), which .NET's HttpClient reports as a failure of the response or request body.
/// </para>
/// </summary>
public sealed class ForwardedCallGuard(ForwardedMethods methods, ForwardedDeadlines deadlines, IHostApplicationLifetime lifetime, ILogger<ForwardedCallGuard> logger)
{
    private const string Unavailable = "14";
    private const string DeadlineExceeded = "4";

    /// <summary>
    /// How long after a call's forwarded deadline its failure still counts as the service ending it at that deadline (its
    /// DEADLINE_EXCEEDED and stream reset arrive within milliseconds; a loaded machine's margin): later, a warning. A unary
    /// call still open this long after its deadline is cut by the gateway.
    /// </summary>
    private static readonly TimeSpan DeadlineGrace = TimeSpan.FromSeconds(2);

    /// <summary>The longest due time a <see cref="Timer"/> takes (about 49.7 days); a call with a longer deadline is not cut.</summary>
    private static readonly TimeSpan MaxTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        if (!IsGrpc(context.Request))
        {
            await next();
            if (context.GetForwarderErrorFeature() is { } failed)
            {
                LogFailure(context, context.RequestAborted, failed);
            }

            return;
        }

        var caller = context.RequestAborted;
        var reset = new DeferredReset(context.Features.Get<IHttpResetFeature>());
        context.Features.Set<IHttpResetFeature>(reset);
        var body = new FrameTrackingBody(context.Features.GetRequiredFeature<IHttpResponseBodyFeature>());
        context.Features.Set<IHttpResponseBodyFeature>(body);

        // What cancels the forwarded request (YARP cancels it when RequestAborted fires): for a stream, its caller or the
        // gateway's shutdown; for a unary call, its caller or, while no answer has begun, the passing of its forwarded deadline
        // and the grace (DeadlineCut).
        var streaming = methods.IsStreaming(context.Request.Path.Value ?? "");
        var timeout = streaming ? null : deadlines.ForwardedTimeout(context.Request);
        using var cut = streaming ? CancellationTokenSource.CreateLinkedTokenSource(caller, lifetime.ApplicationStopping)
            : timeout is not null ? CancellationTokenSource.CreateLinkedTokenSource(caller) : null;
        if (cut is not null)
        {
            context.RequestAborted = cut.Token;
        }

        DeadlineCut? deadlineCut = null;
        Timer? timer = null;
        if (timeout is { } forwarded)
        {
            // The deadline the guard tells a service's own cut by, and its timer, from the same instant.
            context.Items[ForwardedDeadlines.DeadlineItem] = DateTime.UtcNow + forwarded;
            deadlineCut = new DeadlineCut(context, cut!);
            if (forwarded + DeadlineGrace < MaxTimer)
            {
                timer = new Timer(static state => ((DeadlineCut)state!).Fire(), deadlineCut, forwarded + DeadlineGrace, Timeout.InfiniteTimeSpan);
            }
        }

        try
        {
            await next();
        }
        finally
        {
            deadlineCut?.Stop();
            timer?.Dispose();
        }

        if (context.GetForwarderErrorFeature() is not { } error)
        {
            reset.Release();
            return;
        }

        if (caller.IsCancellationRequested)
        {
            // The caller's deadline or cancel: its gRPC client has ended the call with DEADLINE_EXCEEDED or CANCELLED itself.
            logger.LogDebug("{Path}: the caller ended the call ({Error}: {Reason})", context.Request.Path, error.Error, Reason(error));
            reset.Release();
            return;
        }

        if (body.Completed)
        {
            // The service answered, its status included, before it had read the whole request (at its deadline, or refusing the
            // call): what failed is only the rest of the request body, which the service no longer wanted.
            logger.LogDebug("{Path}: the service answered before the request was forwarded whole ({Error}: {Reason})", context.Request.Path, error.Error, Reason(error));
            reset.Release();
            return;
        }

        if (!context.Response.HasStarted && context.Items[ForwardedDeadlines.DeadlineItem] is DateTime due && DateTime.UtcNow >= due)
        {
            // The service cut the call at the deadline it was given (e.g. 1n: already past) before answering: a
            // reset of the request stream is how it may do that, and the truth for the caller is DEADLINE_EXCEEDED.
            // Whatever YARP names the failure: when the reset races the copy of the request body it reports
            // RequestBodyClient (and would answer 400), though the caller is still there.
            // A call still open DeadlineGrace after the deadline (the gateway cuts it there), a failure later than that, or YARP's
            // own activity timeout is not that: the service did not end the call at its deadline (a hung process, a network that
            // drops packets).
            var late = DateTime.UtcNow - due;
            if (deadlineCut is { Fired: true })
            {
                logger.LogWarning("{Path}: the service did not end the call at its deadline; the gateway cut it {Late:0.0} s after it; answering DEADLINE_EXCEEDED",
                    context.Request.Path, late.TotalSeconds);
            }
            else if (error.Error == ForwarderError.RequestTimedOut || late > DeadlineGrace)
            {
                logger.LogWarning(error.Exception, "{Path}: the service did not end the call at its deadline; it failed {Late:0.0} s after it ({Error}); answering DEADLINE_EXCEEDED",
                    context.Request.Path, late.TotalSeconds, error.Error);
            }
            else
            {
                logger.LogDebug("{Path} ended at its deadline ({Error}: {Reason}); answering DEADLINE_EXCEEDED", context.Request.Path, error.Error, Reason(error));
            }

            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = DeadlineExceeded;
            context.Response.Headers["grpc-message"] = "Deadline Exceeded";
            return;
        }

        if (deadlineCut is { Fired: true })
        {
            // Cut 2 s after its deadline as the answer began (the cut checks first, but the answer can begin meanwhile).
            logger.LogWarning("{Path}: the call was still open {Grace} s after its deadline, its answer begun; the gateway cut it ({Error}: {Reason})",
                context.Request.Path, DeadlineGrace.TotalSeconds, error.Error, Reason(error));
            reset.Release();
            return;
        }

        if (!OnOurSide(error.Error))
        {
            LogFailure(context, caller, error);
            reset.Release();
            return;
        }

        var shuttingDown = lifetime.ApplicationStopping.IsCancellationRequested;
        var reason = shuttingDown
            ? "The gateway is shutting down; call again (a request with a request_id is replayed, not done twice; a stream resumes from its last cursor)."
            : context.Response.HasStarted
                ? $"The service ended the call without a status ({error.Error}); call again (a request with a request_id is replayed, not done twice; a stream resumes from its last cursor)."
                // Before any answer: a service not reachable, or a connection that failed (a process that froze is found by the
                // HTTP/2 keep-alive ping), not a service that chose to end the call.
                : $"The service could not be reached, or its connection failed, before it answered ({error.Error}); call again (a request with a request_id is replayed, not done twice; a stream resumes from its last cursor).";
        if (!context.Response.HasStarted)
        {
            // A trailers-only gRPC response (status 200, grpc-status in the headers) instead of YARP's 502/504/400.
            logger.LogWarning(shuttingDown ? null : error.Exception, "{Path} failed before the service answered ({Error}); answering UNAVAILABLE", context.Request.Path, error.Error);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = Unavailable;
            context.Response.Headers["grpc-message"] = reason;
            return;
        }

        if (reset.Requested is not null && body.AtMessageBoundary)
        {
            logger.LogWarning(shuttingDown ? null : error.Exception, "{Path} ended without the service's status ({Error}); ending it UNAVAILABLE", context.Request.Path, error.Error);
            context.Response.AppendTrailer("grpc-status", Unavailable);
            context.Response.AppendTrailer("grpc-message", reason);
            await context.Response.CompleteAsync();
            return;
        }

        logger.LogWarning(shuttingDown ? null : error.Exception, "{Path} failed after the service began answering ({Error}); the stream is reset", context.Request.Path, error.Error);
        reset.Release();
    }

    /// <summary>A failure the guard leaves as YARP ended it: the caller's side of the stream at Information, anything else as a warning with its exception.</summary>
    private void LogFailure(HttpContext context, CancellationToken caller, IForwarderErrorFeature error)
    {
        if (caller.IsCancellationRequested)
        {
            logger.LogDebug("{Path}: the caller ended the call ({Error}: {Reason})", context.Request.Path, error.Error, Reason(error));
        }
        else if (OnCallersSide(error))
        {
            logger.LogInformation("{Path}: the caller's stream failed ({Error}: {Reason})", context.Request.Path, error.Error, Reason(error));
        }
        else
        {
            logger.LogWarning(error.Exception, "{Path} failed ({Error})", context.Request.Path, error.Error);
        }
    }

    /// <summary>
    /// Reading the caller's request or writing its response failed at the caller's end: a reset (its deadline or a cancel, when
    /// Kestrel has not yet signalled RequestAborted; the caller's deadline passes a little before the one the gateway forwarded,
    /// which was measured later), a lost connection, a body Kestrel refused. Not when the service reset the stream: YARP may
    /// name that RequestBodyClient too, when the reset cancels the read of the caller's body.
    /// </summary>
    private static bool OnCallersSide(IForwarderErrorFeature error) =>
        error.Error is ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient
        && !Causes(error.Exception).Any(e => e is HttpProtocolException);

    /// <summary>An exception and those it wraps, the inner exceptions of an <see cref="AggregateException"/> included.</summary>
    private static IEnumerable<Exception> Causes(Exception? exception)
    {
        var pending = new Stack<Exception>();
        if (exception is not null)
        {
            pending.Push(exception);
        }

        while (pending.TryPop(out var ex))
        {
            yield return ex;
            if (ex is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.Reverse())
                {
                    pending.Push(inner);
                }
            }
            else if (ex.InnerException is { } cause)
            {
                pending.Push(cause);
            }
        }
    }

    /// <summary>The failure in one line: the messages of the exception and those it wraps, without the stack traces.</summary>
    private static string Reason(IForwarderErrorFeature error)
    {
        var messages = Causes(error.Exception).Where(e => e is not AggregateException).Select(e => $"{e.GetType().Name}: {e.Message}").Distinct().Take(6).ToList();
        return messages.Count == 0 ? "no exception" : string.Join(" <- ", messages);
    }

    /// <summary>Failures of the service, the connection to it, or the gateway itself; not of the caller's request.</summary>
    private static bool OnOurSide(ForwarderError error) => error is ForwarderError.Request or ForwarderError.RequestTimedOut
        or ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyDestination
        or ForwarderError.ResponseHeaders or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyDestination
        or ForwarderError.NoAvailableDestinations;

    private static bool IsGrpc(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Cancels a unary call's forwarded request when its timer fires (<see cref="DeadlineGrace"/> after the forwarded deadline),
    /// if the service's answer has not begun by then: once it has, what remains is copying it to the caller, which may be slow
    /// without the service being at fault (YARP's activity timeout still bounds a stall). <see cref="Stop"/> once the call is
    /// over, so that a late timer touches neither the pooled HttpContext nor the disposed source.
    /// </summary>
    private sealed class DeadlineCut(HttpContext context, CancellationTokenSource source)
    {
        private readonly Lock _gate = new();
        private bool _stopped;

        /// <summary>Whether the timer cut the call.</summary>
        public bool Fired { get; private set; }

        public void Fire()
        {
            lock (_gate)
            {
                if (_stopped || context.Response.HasStarted)
                {
                    return;
                }

                Fired = true;
            }

            try
            {
                source.Cancel();
            }
            catch (Exception ex) when (ex is ObjectDisposedException or AggregateException)
            {
                // The call ended meanwhile, or a callback of YARP's failed on cancellation: nothing left to cut, and an exception
                // thrown on the timer's thread would end the process.
            }
        }

        public void Stop()
        {
            lock (_gate)
            {
                _stopped = true;
            }
        }
    }

    /// <summary>Holds back YARP's stream reset until the guard has decided whether a gRPC status can end the call instead.</summary>
    private sealed class DeferredReset(IHttpResetFeature? inner) : IHttpResetFeature
    {
        public int? Requested { get; private set; }

        public void Reset(int errorCode) => Requested = errorCode;

        public void Release()
        {
            if (Requested is { } code)
            {
                inner?.Reset(code);
            }
        }
    }

    /// <summary>
    /// The response body as Kestrel has it, watching the gRPC message framing (a 1-byte flag, a 4-byte
    /// big-endian length, the message) of what is written, so the guard knows whether a status can
    /// follow without cutting a message in two.
    /// </summary>
    private sealed class FrameTrackingBody(IHttpResponseBodyFeature inner) : IHttpResponseBodyFeature
    {
        private Stream? _stream;
        private int _prefixRead;
        private uint _length;
        private long _messageLeft;

        public bool AtMessageBoundary => _prefixRead == 0 && _messageLeft == 0;

        public Stream Stream => _stream ??= new Tracking(inner.Stream, this);

        public System.IO.Pipelines.PipeWriter Writer => inner.Writer;

        public void DisableBuffering() => inner.DisableBuffering();

        public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
            inner.SendFileAsync(path, offset, count, cancellationToken);

        /// <summary>Whether the response was completed (YARP does so once the service's trailers are copied): the caller has its status.</summary>
        public bool Completed { get; private set; }

        public Task CompleteAsync()
        {
            Completed = true;
            return inner.CompleteAsync();
        }

        private void Observe(ReadOnlySpan<byte> data)
        {
            while (!data.IsEmpty)
            {
                if (_messageLeft > 0)
                {
                    var n = (int)Math.Min(_messageLeft, data.Length);
                    _messageLeft -= n;
                    data = data[n..];
                    continue;
                }

                if (_prefixRead > 0)
                {
                    _length = (_length << 8) | data[0];
                }

                data = data[1..];
                if (++_prefixRead == 5)
                {
                    (_messageLeft, _prefixRead, _length) = (_length, 0, 0);
                }
            }
        }

        private sealed class Tracking(Stream inner, FrameTrackingBody owner) : Stream
        {
            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override void Flush() => inner.Flush();

            public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count)
            {
                inner.Write(buffer, offset, count);
                owner.Observe(buffer.AsSpan(offset, count));
            }

            public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

            public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            {
                await inner.WriteAsync(buffer, cancellationToken);
                owner.Observe(buffer.Span);
            }
        }
    }
}
