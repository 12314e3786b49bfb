using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Registry.Protos.Custody.V1;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// Every cell of the access table, generated from the data file: each role calls each RPC through the
/// gateway and directly at the owning service, naming a case of its own agency (and, for own-agency cells,
/// a case of another agency), and gets what its cell says: denied → PERMISSION_DENIED; allowed → past the
/// access check (any other status: an empty request is refused as bad input, nothing stored);
/// own-agency → allowed on its own agency's case and PERMISSION_DENIED on another's; shared → PERMISSION_DENIED
/// on a case not shared with it. Both paths must give the same answer.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class AccessTableCellTests(RegistryFixture registry)
{
    private const string OwnAgency = "UA-SSO";
    private const string OtherAgency = "UA-AF";
    private static readonly SemaphoreSlim CasesGate = new(1, 1);
    private static (string Own, string Other)? _cases;

    private static readonly IReadOnlyList<MethodDescriptor> Methods = typeof(IntakeService).Assembly.GetTypes()
        .Select(t => t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static))
        .Where(p => p?.PropertyType == typeof(ServiceDescriptor))
        .Select(p => (ServiceDescriptor)p!.GetValue(null)!)
        .Where(s => s.File.Package.StartsWith("registry.", StringComparison.Ordinal))
        .SelectMany(s => s.Methods)
        .ToList();

    public static TheoryData<string> Rows => new(AccessTable.Default.Rows.Select(r => r.Method).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Each_role_gets_what_its_cell_says_through_the_gateway_and_at_the_service(string method)
    {
        var (own, other) = await CasesAsync();
        var row = AccessTable.Default.Find(method)!;
        var descriptor = Methods.Single(m => $"{m.Service.FullName}/{m.Name}" == method);
        var failures = new List<string>();
        foreach (var role in RegistryRoles.All)
        {
            var scope = row.Roles.GetValueOrDefault(role, AccessScope.Denied);
            foreach (var (path, channel) in Paths(descriptor, role))
            {
                var onOwn = await CallAsync(channel, descriptor, Request(descriptor, row, own, OwnAgency));
                var expected = scope is AccessScope.Any or AccessScope.OwnAgency ? "allowed" : "PermissionDenied";
                if (Describe(onOwn) != expected)
                {
                    failures.Add($"{role} via {path} on its own agency's case: {onOwn} ({Detail(onOwn)}), expected {expected} (cell: {AccessTable.Name(scope)})");
                }

                if (scope is AccessScope.OwnAgency or AccessScope.Any && HasCaseOrAgency(descriptor, row))
                {
                    var onOther = await CallAsync(channel, descriptor, Request(descriptor, row, other, OtherAgency));
                    var expectedOther = scope == AccessScope.Any ? "allowed" : "PermissionDenied";
                    if (Describe(onOther) != expectedOther)
                    {
                        failures.Add($"{role} via {path} on another agency's case: {onOther} ({Detail(onOther)}), expected {expectedOther} (cell: {AccessTable.Name(scope)})");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"{method}:\n{string.Join("\n", failures)}");
    }

    [Fact]
    public async Task Without_a_token_every_rpc_is_unauthenticated_through_the_gateway_and_at_every_service()
    {
        var (own, _) = await CasesAsync();
        var failures = new List<string>();
        foreach (var descriptor in Methods.Where(m => !AccessPolicy.IsOpen($"{m.Service.FullName}/{m.Name}")))
        {
            var row = AccessTable.Default.Find($"{descriptor.Service.FullName}/{descriptor.Name}")!;
            foreach (var (path, channel) in Paths(descriptor, role: null))
            {
                var outcome = await CallAsync(channel, descriptor, Request(descriptor, row, own, OwnAgency));
                if (outcome is not StatusCode.Unauthenticated)
                {
                    failures.Add($"{descriptor.FullName} via {path}: {outcome}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static string Describe(StatusCode? status) =>
        status is StatusCode.PermissionDenied or StatusCode.Unauthenticated ? status.ToString()! : "allowed";

    private static string Detail(StatusCode? status) => status?.ToString() ?? "OK";

    private static bool HasCaseOrAgency(MethodDescriptor method, AccessRow row) =>
        row.AgencyField is not null || method.InputType.Fields.InFieldNumberOrder().Any(f => f.Name == "case_id" || f.Name.EndsWith("_case_id", StringComparison.Ordinal));

    /// <summary>The gateway, and each service that serves the method's package directly.</summary>
    private IEnumerable<(string Path, CallInvoker Channel)> Paths(MethodDescriptor method, string? role)
    {
        CallInvoker As(Grpc.Net.Client.GrpcChannel channel) =>
            role is null ? TestCallers.Anonymous(channel) : TestCallers.As(channel, OwnAgency, role);

        var package = method.File.Package;
        if (package != "registry.audit.v1")
        {
            // Each service's own audit is not forwarded: the gateway's AuditService merges them.
            yield return ("gateway", As(registry.GatewayRawChannel));
        }

        foreach (var (name, service) in new[] { ("intake", registry.Intake), ("custody", registry.Custody), ("medical", registry.Medical) })
        {
            if (package == $"registry.{name}.v1" || package == "registry.audit.v1")
            {
                yield return (name, As(registry.DirectChannel(service)));
            }
        }
    }

    /// <summary>An empty request of the method naming <paramref name="caseId"/> in every case field and <paramref name="agency"/> in its agency field.</summary>
    private static IMessage Request(MethodDescriptor method, AccessRow row, string caseId, string agency)
    {
        var request = (IMessage)Activator.CreateInstance(method.InputType.ClrType)!;
        foreach (var field in method.InputType.Fields.InFieldNumberOrder())
        {
            if (field.FieldType == FieldType.String && !field.IsRepeated && (field.Name == "case_id" || field.Name.EndsWith("_case_id", StringComparison.Ordinal)))
            {
                field.Accessor.SetValue(request, caseId);
            }
        }

        if (row.AgencyField is { } path)
        {
            var message = request;
            var parts = path.Split('.');
            foreach (var part in parts[..^1])
            {
                if (part.EndsWith("[]", StringComparison.Ordinal))
                {
                    // A repeated field (a batch's rows): one element carrying the agency.
                    var list = message.Descriptor.FindFieldByName(part[..^2]);
                    var element = (IMessage)Activator.CreateInstance(list.MessageType.ClrType)!;
                    ((System.Collections.IList)list.Accessor.GetValue(message)).Add(element);
                    message = element;
                    continue;
                }

                var field = message.Descriptor.FindFieldByName(part);
                var inner = (IMessage?)field.Accessor.GetValue(message) ?? (IMessage)Activator.CreateInstance(field.MessageType.ClrType)!;
                field.Accessor.SetValue(message, inner);
                message = inner;
            }

            message.Descriptor.FindFieldByName(parts[^1]).Accessor.SetValue(message, agency);
        }

        return request;
    }

    /// <summary>The call's status: null for OK; a stream that stays open past its short deadline counts as allowed.</summary>
    private static async Task<StatusCode?> CallAsync(CallInvoker channel, MethodDescriptor method, IMessage request)
    {
        var marshaller = Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => method.OutputType.Parser.ParseFrom(bytes));
        var requestMarshaller = Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => method.InputType.Parser.ParseFrom(bytes));
        try
        {
            if (method.IsServerStreaming)
            {
                var streaming = new Method<IMessage, IMessage>(MethodType.ServerStreaming, method.Service.FullName, method.Name, requestMarshaller, marshaller);
                using var call = channel.AsyncServerStreamingCall(streaming, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(3)), request);
                await call.ResponseStream.MoveNext(CancellationToken.None);
                return null;
            }

            var unary = new Method<IMessage, IMessage>(MethodType.Unary, method.Service.FullName, method.Name, requestMarshaller, marshaller);
            await channel.AsyncUnaryCall(unary, null, new CallOptions(deadline: RegistryFixture.CallDeadline), request).ResponseAsync;
            return null;
        }
        catch (RpcException ex) when (method.IsServerStreaming && ex.StatusCode == StatusCode.DeadlineExceeded)
        {
            return null;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }

    /// <summary>A case of <see cref="OwnAgency"/> and one of <see cref="OtherAgency"/>, known to intake and custody.</summary>
    private async Task<(string Own, string Other)> CasesAsync()
    {
        await CasesGate.WaitAsync();
        try
        {
            if (_cases is { } cases)
            {
                return cases;
            }

            var intake = new IntakeService.IntakeServiceClient(registry.GatewayChannel);
            var own = SeedStory.Sniper();
            own.Capture.CapturingAgency = OwnAgency;
            var other = SeedStory.Rifleman();
            other.Capture.CapturingAgency = OtherAgency;
            var ownId = (await intake.RegisterCaptureAsync(own, deadline: RegistryFixture.CallDeadline)).Case.CaseId;
            var otherId = (await intake.RegisterCaptureAsync(other, deadline: RegistryFixture.CallDeadline)).Case.CaseId;
            var custody = new CustodyService.CustodyServiceClient(registry.GatewayChannel);
            foreach (var id in new[] { ownId, otherId })
            {
                await Eventually.TrueAsync(async () =>
                {
                    try
                    {
                        await custody.GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = id }, deadline: RegistryFixture.CallDeadline);
                        return true;
                    }
                    catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
                    {
                        return false;
                    }
                }, TimeSpan.FromSeconds(60), "custody to open both records");
            }

            _cases = (ownId, otherId);
            return _cases.Value;
        }
        finally
        {
            CasesGate.Release();
        }
    }
}
