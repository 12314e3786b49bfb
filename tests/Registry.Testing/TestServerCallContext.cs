using Grpc.Core;

namespace Registry.Testing;

/// <summary>
/// The context of a gRPC call being served, for code that reads it outside a real call: its deadline (UTC,
/// <see cref="DateTime.MaxValue"/> for none) and its cancellation (the caller gone), nothing else.
/// </summary>
public sealed class TestServerCallContext(DateTime? deadline = null, CancellationToken cancellation = default) : ServerCallContext
{
    protected override string MethodCore => "/registry.test.v1.Test/Call";
    protected override string HostCore => "localhost";
    protected override string PeerCore => "ipv4:127.0.0.1:1";
    protected override DateTime DeadlineCore => deadline ?? DateTime.MaxValue;
    protected override Metadata RequestHeadersCore { get; } = [];
    protected override CancellationToken CancellationTokenCore => cancellation;
    protected override Metadata ResponseTrailersCore { get; } = [];
    protected override Status StatusCore { get; set; }
    protected override WriteOptions? WriteOptionsCore { get; set; }
    protected override AuthContext AuthContextCore => new(null, []);
    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();
}
