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
/// <item>the gateway is shutting down: open streams (see <see cref="ForwardedMethods"/>) are ended at
/// once with UNAVAILABLE rather than held until the host's shutdown timeout and then cut. Unary calls
/// in flight finish normally.</item>
/// </list>
/// A call whose caller hung up is left to end as it does.
/// </summary>
public sealed class ForwardedCallGuard(ForwardedMethods methods, IHostApplicationLifetime lifetime, ILogger<ForwardedCallGuard> logger)
{
    private const string Unavailable = "14";
    private const string DeadlineExceeded = "4";

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        if (!IsGrpc(context.Request))
        {
            await next();
            return;
        }

        var caller = context.RequestAborted;
        var reset = new DeferredReset(context.Features.Get<IHttpResetFeature>());
        context.Features.Set<IHttpResetFeature>(reset);
        var body = new FrameTrackingBody(context.Features.GetRequiredFeature<IHttpResponseBodyFeature>());
        context.Features.Set<IHttpResponseBodyFeature>(body);

        using var stopping = methods.IsStreaming(context.Request.Path.Value ?? "")
            ? CancellationTokenSource.CreateLinkedTokenSource(caller, lifetime.ApplicationStopping)
            : null;
        if (stopping is not null)
        {
            context.RequestAborted = stopping.Token;
        }

        await next();

        if (caller.IsCancellationRequested || context.GetForwarderErrorFeature() is not { } error)
        {
            reset.Release();
            return;
        }

        if (!context.Response.HasStarted && context.Items[ForwardedDeadlines.DeadlineItem] is DateTime due && DateTime.UtcNow >= due)
        {
            // The service cut the call at the deadline it was given (e.g. 1n: already past) before answering: a
            // reset of the request stream is how it may do that, and the truth for the caller is DEADLINE_EXCEEDED.
            // Whatever YARP names the failure: when the reset races the copy of the request body it reports
            // RequestBodyClient (and would answer 400), though the caller is still there.
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = DeadlineExceeded;
            context.Response.Headers["grpc-message"] = "Deadline Exceeded";
            return;
        }

        if (!OnOurSide(error.Error))
        {
            reset.Release();
            return;
        }

        var reason = lifetime.ApplicationStopping.IsCancellationRequested
            ? "The gateway is shutting down; call again (a request with a request_id is replayed, not done twice; a stream resumes from its last cursor)."
            : $"The service ended the call without a status ({error.Error}); call again (a request with a request_id is replayed, not done twice; a stream resumes from its last cursor).";
        if (!context.Response.HasStarted)
        {
            // A trailers-only gRPC response (status 200, grpc-status in the headers) instead of YARP's 502/504/400.
            logger.LogWarning("{Path} failed before the service answered ({Error}); answering UNAVAILABLE", context.Request.Path, error.Error);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = Unavailable;
            context.Response.Headers["grpc-message"] = reason;
            return;
        }

        if (reset.Requested is not null && body.AtMessageBoundary)
        {
            logger.LogWarning("{Path} ended without the service's status ({Error}); ending it UNAVAILABLE", context.Request.Path, error.Error);
            context.Response.AppendTrailer("grpc-status", Unavailable);
            context.Response.AppendTrailer("grpc-message", reason);
            await context.Response.CompleteAsync();
            return;
        }

        reset.Release();
    }

    /// <summary>Failures of the service, the connection to it, or the gateway itself; not of the caller's request.</summary>
    private static bool OnOurSide(ForwarderError error) => error is ForwarderError.Request or ForwarderError.RequestTimedOut
        or ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyDestination
        or ForwarderError.ResponseHeaders or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyDestination
        or ForwarderError.NoAvailableDestinations;

    private static bool IsGrpc(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

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

        public Task CompleteAsync() => inner.CompleteAsync();

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
