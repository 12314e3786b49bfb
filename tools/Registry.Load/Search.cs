using System.Diagnostics;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using Registry.Protos.Intake.V1;

namespace Registry.Load;

/// <summary>
/// Search latency over a large registry. SearchCases is being built in intake (issue 4); this phase
/// finds the method in the compiled contract (Registry.Protos) at run time, so it starts measuring as
/// soon as the proto has it, and until then reports it as not available. The request is built from the
/// method's descriptor: a text query in the first string field named like "query"/"family_name", and
/// page_size 20 when there is such a field.
/// </summary>
public static class Search
{
    public const string MethodPath = "/registry.intake.v1.IntakeService/SearchCases";

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    public static MethodDescriptor? Descriptor =>
        IntakeReflection.Descriptor.Services.SelectMany(s => s.Methods).FirstOrDefault(m => m.Name == "SearchCases");

    /// <summary>Asks the gateway whether SearchCases is served; null when it is, else why not.</summary>
    public static async Task<string?> UnavailableBecauseAsync(GrpcChannel channel)
    {
        try
        {
            var request = Descriptor is { } method ? Build(method, "Kim").ToByteArray() : [];
            await Call(channel, request);
            return Descriptor is null
                ? "the gateway answers SearchCases but this build's Registry.Protos does not define it (rebuild after merging the search proto)"
                : null;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unimplemented)
        {
            return "not available: the gateway has no registry.intake.v1.IntakeService/SearchCases (Unimplemented)";
        }
        catch (RpcException ex) when (Descriptor is null)
        {
            return $"the gateway answers SearchCases ({ex.StatusCode}) but this build's Registry.Protos does not define it";
        }
    }

    public static Task<AsyncUnaryCall<byte[]>> CallAsync(GrpcChannel channel, string query) =>
        Task.FromResult(Call(channel, Build(Descriptor!, query).ToByteArray()));

    private static AsyncUnaryCall<byte[]> Call(GrpcChannel channel, byte[] request) =>
        channel.CreateCallInvoker().AsyncUnaryCall(
            new Method<byte[], byte[]>(MethodType.Unary, "registry.intake.v1.IntakeService", "SearchCases", Bytes, Bytes),
            null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)), request);

    private static IMessage Build(MethodDescriptor method, string query)
    {
        var message = method.InputType.Parser.ParseFrom(ByteString.Empty);
        var fields = method.InputType.Fields.InFieldNumberOrder();
        var text = fields.FirstOrDefault(f => f.FieldType == FieldType.String && f.Name is "query" or "q" or "text" or "family_name" or "name")
            ?? fields.FirstOrDefault(f => f.FieldType == FieldType.String && !f.IsRepeated);
        text?.Accessor.SetValue(message, query);
        fields.FirstOrDefault(f => f.Name == "page_size" && f.FieldType == FieldType.Int32)?.Accessor.SetValue(message, 20);
        return message;
    }

    public static async Task<PhaseStats> RunAsync(LoadOptions options, GrpcChannel[] channels, TimeSpan duration)
    {
        string[] queries = ["Kim", "리", "Іваненко", "Müller", "Nguyễn", "Smirnov", "O'Brien", "박"];
        return await ClosedLoop.RunAsync("search", channels.Length, duration, async (i, stats, recorder, _) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await (await CallAsync(channels[i], queries[Random.Shared.Next(queries.Length)])).ResponseAsync;
                stats.Record(recorder, started, StatusCode.OK);
            }
            catch (RpcException ex)
            {
                stats.Record(recorder, started, ex.StatusCode);
            }
        });
    }
}
