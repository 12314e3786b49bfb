using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Tests;

/// <summary>
/// Bytes no protobuf parser accepts, as a buggy or hostile client sends them: refused as the
/// caller's fault (INVALID_ARGUMENT), with nothing stored.
/// </summary>
public sealed class MalformedRequestTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    private static readonly Method<byte[], RegisterCaptureResponse> RawRegisterCapture = new(
        MethodType.Unary, IntakeService.Descriptor.FullName, "RegisterCapture",
        Marshallers.Create(bytes => bytes, bytes => bytes),
        Marshallers.Create(response => response.ToByteArray(), RegisterCaptureResponse.Parser.ParseFrom));

    public static TheoryData<string, byte[]> Malformed => new()
    {
        // request_id (field 1, a string) holding C3 28: not UTF-8.
        { "a string field that is not UTF-8", [0x0A, 0x02, 0xC3, 0x28] },
        // A transliteration inside identity (field 2) -> family_name_latin (field 7), not UTF-8.
        { "a nested transliteration that is not UTF-8", [0x12, 0x04, 0x3A, 0x02, 0xFF, 0xFE] },
        // request_id announced as 16 bytes long, 1 sent.
        { "a truncated message", [0x0A, 0x10, 0x61] },
        // A tag with field number 0.
        { "an invalid tag", [0x00, 0x01] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_request_protobuf_cannot_parse_is_refused_as_invalid_and_stores_nothing(string what, byte[] body)
    {
        var before = await intake.CountStoredAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            intake.Service.Channel.AsyncUnaryCall(RawRegisterCapture, null, new CallOptions(), body).ResponseAsync);

        Assert.True(error.StatusCode == StatusCode.InvalidArgument, $"{what}: {error.Status}");
        Assert.NotNull(error.GetRpcStatus()?.GetDetail<BadRequest>());
        Assert.Equal(before, await intake.CountStoredAsync());
    }
}
