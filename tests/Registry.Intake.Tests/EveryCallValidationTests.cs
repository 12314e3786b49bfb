using Google.Rpc;
using Grpc.Core;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Tests;

/// <summary>
/// Every unary call of the contract, sent an empty message, answers INVALID_ARGUMENT naming at least one
/// field, and stores nothing. Read from the service descriptor, so a call added later is covered too.
/// </summary>
public sealed class EveryCallValidationTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    public static TheoryData<string> UnaryCalls()
    {
        var calls = new TheoryData<string>();
        foreach (var method in IntakeService.Descriptor.Methods.Where(m => !m.IsClientStreaming && !m.IsServerStreaming))
        {
            calls.Add(method.Name);
        }

        return calls;
    }

    [Theory]
    [MemberData(nameof(UnaryCalls))]
    public async Task An_empty_request_is_refused_naming_a_field_and_stores_nothing(string call)
    {
        var raw = new Method<byte[], byte[]>(MethodType.Unary, IntakeService.Descriptor.FullName, call,
            Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
        var before = await intake.CountStoredAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            intake.Service.Channel.AsyncUnaryCall(raw, null, new CallOptions(), []).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.NotEmpty(error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations);
        Assert.Equal(before, await intake.CountStoredAsync());
    }
}
