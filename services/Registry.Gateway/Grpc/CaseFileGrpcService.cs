using System.Text.RegularExpressions;
using Grpc.Core;
using Registry.Protos.Custody.V1;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Gateway.Grpc;

/// <summary>
/// The case file: identity from intake, custody record, medical summary, asked in parallel. A part
/// that fails or is late is marked unavailable; the file is refused only when the case itself is
/// unknown to intake.
/// </summary>
public sealed partial class CaseFileGrpcService(
    IntakeService.IntakeServiceClient intake,
    CustodyService.CustodyServiceClient custody,
    MedicalService.MedicalServiceClient medical,
    BackendOptions backends,
    TimeProvider clock,
    ILogger<CaseFileGrpcService> logger) : CaseFileService.CaseFileServiceBase
{
    public override async Task<GetCaseFileResponse> GetCaseFile(GetCaseFileRequest request, ServerCallContext context)
    {
        var errors = new FieldViolations();
        errors.Uuid("case_id", request.CaseId, required: true);
        errors.ThrowIfAny();

        // Each part gets its own deadline; context propagation keeps the caller's if it is sooner.
        var deadline = clock.GetUtcNow().UtcDateTime + backends.CaseFilePartTimeout;
        var ct = context.CancellationToken;

        var identityTask = AskAsync("intake", () => intake.GetCaseAsync(new GetCaseRequest { CaseId = request.CaseId }, deadline: deadline, cancellationToken: ct).ResponseAsync);
        var custodyTask = AskAsync("custody", () => custody.GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = request.CaseId }, deadline: deadline, cancellationToken: ct).ResponseAsync);
        var medicalTask = AskAsync("medical", () => medical.GetMedicalSummaryAsync(new GetMedicalSummaryRequest { CaseId = request.CaseId }, deadline: deadline, cancellationToken: ct).ResponseAsync);
        await Task.WhenAll(identityTask, custodyTask, medicalTask);

        var (identity, identityError) = identityTask.Result;
        if (identityError is { StatusCode: StatusCode.NotFound })
        {
            throw RpcErrors.NotFound("registry.intake.v1.Case", request.CaseId);
        }

        var file = new CaseFile { CaseId = request.CaseId };
        file.Identity = identity is not null
            ? new IdentityPart { Case = identity.Case }
            : new IdentityPart { Unavailable = Unavailable(identityError!) };
        file.Custody = custodyTask.Result is ({ } c, _)
            ? new CustodyPart { Record = c.Record }
            : new CustodyPart { Unavailable = Unavailable(custodyTask.Result.Error!) };
        file.Medical = medicalTask.Result is ({ } m, _)
            ? new MedicalPart { Summary = m.Summary }
            : new MedicalPart { Unavailable = Unavailable(medicalTask.Result.Error!) };
        return new GetCaseFileResponse { CaseFile = file };
    }

    private async Task<(T? Response, RpcException? Error)> AskAsync<T>(string part, Func<Task<T>> call) where T : class
    {
        try
        {
            return (await call(), null);
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            if (ex.StatusCode != StatusCode.NotFound)
            {
                logger.LogWarning("Case file part {Part} unavailable: {Status} {Detail}", part, ex.StatusCode, ex.Status.Detail);
            }

            return (null, ex);
        }
    }

    private static PartUnavailable Unavailable(RpcException error) => new()
    {
        Code = UpperSnake().Replace(error.StatusCode.ToString(), "$1_$2").ToUpperInvariant(),
        Reason = error.StatusCode == StatusCode.NotFound
            ? "No record yet; the service may not have received the registration."
            : error.Status.Detail,
    };

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex UpperSnake();
}
