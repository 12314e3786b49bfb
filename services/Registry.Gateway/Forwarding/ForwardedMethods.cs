using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Registry.Gateway.Forwarding;

/// <summary>
/// What each forwarded path is, read from the services' descriptors (the compiled protos), so that a
/// new RPC gets the right treatment without gateway code: a unary call gets a bounded deadline
/// (<see cref="ForwardedDeadlines"/>); a streaming one (server, client or bidirectional streaming) its
/// own route with no idle cut (<see cref="ServiceRoutes"/>) and ends UNAVAILABLE when the gateway stops
/// (<see cref="ForwardedCallGuard"/>). Paths are gRPC's <c>/{package}.{Service}/{Method}</c>.
/// </summary>
public sealed class ForwardedMethods
{
    private readonly HashSet<string> _unary;
    private readonly HashSet<string> _streaming;
    private readonly HashSet<string> _bulk;
    private readonly Dictionary<string, Google.Protobuf.Reflection.MethodDescriptor> _methods;

    public ForwardedMethods(IEnumerable<ServiceDescriptor> services)
    {
        var methods = services.SelectMany(s => s.Methods).ToList();
        _methods = methods.ToDictionary(Path, StringComparer.OrdinalIgnoreCase);
        _unary = methods.Where(m => !m.IsClientStreaming && !m.IsServerStreaming).Select(Path).ToHashSet(StringComparer.OrdinalIgnoreCase);
        _streaming = methods.Where(m => m.IsClientStreaming || m.IsServerStreaming).Select(Path).ToHashSet(StringComparer.OrdinalIgnoreCase);
        _bulk = methods.Where(m => m.InputType.ClrType is { } type && typeof(Registry.Protos.IBulkRequest).IsAssignableFrom(type))
            .Select(Path).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Whether the path is a unary call whose request is a <see cref="Registry.Protos.IBulkRequest"/> (ImportCaptures): the services bound it as bulk.</summary>
    public bool IsBulk(string path) => _bulk.Contains(path) && _unary.Contains(path);

    public bool IsUnary(string path) => _unary.Contains(path);

    public bool IsStreaming(string path) => _streaming.Contains(path);

    /// <summary>The method a path names (any case), or null.</summary>
    public Google.Protobuf.Reflection.MethodDescriptor? Find(string path) => _methods.GetValueOrDefault(path);

    /// <summary>The streaming methods' paths under one protobuf package (e.g. <c>registry.intake.v1</c>).</summary>
    public IEnumerable<string> StreamingIn(string package) =>
        _streaming.Where(p => p.StartsWith($"/{package}.", StringComparison.Ordinal)).Order(StringComparer.Ordinal);

    private static string Path(Google.Protobuf.Reflection.MethodDescriptor m) => $"/{m.Service.FullName}/{m.Name}";
}
