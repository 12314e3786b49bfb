using System.Text.RegularExpressions;
using Grpc.Core;
using Registry.Protos.Custody.V1;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Security;

namespace Registry.Gateway.Grpc;

/// <summary>
/// The case file: identity from intake, custody record, medical summary, asked in parallel with the
/// caller's own token (each service checks the caller again and audits its part). A part that fails or
/// is late is marked unavailable; a part the caller may not see is marked withheld: not asked for when
/// the access table denies the caller's roles its method, or withheld when the service refuses the case
/// to the caller. The file is refused when intake does not know the case (NOT_FOUND) or refuses it to
/// the caller (PERMISSION_DENIED).
/// </summary>
public sealed partial class CaseFileGrpcService(
    IntakeService.IntakeServiceClient intake,
    CustodyService.CustodyServiceClient custody,
    MedicalService.MedicalServiceClient medical,
    BackendOptions backends,
    AccessTable access,
    IAccessRefusalReporter refusals,
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

        var caller = AccessContext.Caller(context);
        var caseIds = Guid.TryParse(request.CaseId, out var id) ? new[] { id } : [];
        var identityTask = AskAsync("intake", caller, IntakeService.Descriptor.FindMethodByName("GetCase"),
            () => intake.GetCaseAsync(new GetCaseRequest { CaseId = request.CaseId }, deadline: deadline, cancellationToken: ct).ResponseAsync, context, caseIds);
        var custodyTask = AskAsync("custody", caller, CustodyService.Descriptor.FindMethodByName("GetCustodyRecord"),
            () => custody.GetCustodyRecordAsync(new GetCustodyRecordRequest { CaseId = request.CaseId }, deadline: deadline, cancellationToken: ct).ResponseAsync, context, caseIds);
        var medicalTask = AskAsync("medical", caller, MedicalService.Descriptor.FindMethodByName("GetMedicalSummary"),
            () => medical.GetMedicalSummaryAsync(new GetMedicalSummaryRequest { CaseId = request.CaseId }, deadline: deadline, cancellationToken: ct).ResponseAsync, context, caseIds);
        await Task.WhenAll(identityTask, custodyTask, medicalTask);

        var identity = identityTask.Result;
        switch (identity.Error)
        {
            case { StatusCode: StatusCode.NotFound }:
                throw RpcErrors.NotFound("registry.intake.v1.Case", request.CaseId);
            case { StatusCode: StatusCode.PermissionDenied }:
                throw identity.Error;
        }

        var file = new CaseFile { CaseId = request.CaseId };
        file.Identity = identity switch
        {
            ({ } i, _, _) => new IdentityPart { Case = i.Case },
            (_, _, { } withheld) => new IdentityPart { Withheld = Withhold(context, "identity", withheld) },
            _ => new IdentityPart { Unavailable = Unavailable(identity.Error!) },
        };
        file.Custody = custodyTask.Result switch
        {
            ({ } c, _, _) => new CustodyPart { Record = c.Record },
            (_, _, { } withheld) => new CustodyPart { Withheld = Withhold(context, "custody", withheld) },
            var (_, error, _) => new CustodyPart { Unavailable = Unavailable(error!) },
        };
        file.Medical = medicalTask.Result switch
        {
            ({ } m, _, _) => new MedicalPart { Summary = m.Summary },
            (_, _, { } withheld) => new MedicalPart { Withheld = Withhold(context, "medical", withheld) },
            var (_, error, _) => new MedicalPart { Unavailable = Unavailable(error!) },
        };
        return new GetCaseFileResponse { CaseFile = file };
    }

    private static PartWithheld Withhold(ServerCallContext context, string part, string reason)
    {
        AccessContext.Withhold(context, part);
        return new PartWithheld { Reason = reason };
    }

    /// <summary>
    /// One part: withheld without asking when no role of the caller may call the part's method (the same
    /// access table the service enforces), withheld when the service refuses it to the caller, else its
    /// answer or the error that makes it unavailable.
    /// </summary>
    private async Task<(T? Response, RpcException? Error, string? Withheld)> AskAsync<T>(
        string part, CallerIdentity caller, Google.Protobuf.Reflection.MethodDescriptor method, Func<Task<T>> call,
        ServerCallContext context, Guid[] caseIds) where T : class
    {
        var name = $"{method.Service.FullName}/{method.Name}";
        if (access.Find(name)?.Best(caller.Roles).Scope is null or AccessScope.Denied)
        {
            // Not asked for, so the owning service would never know: the withholding is reported to its audit.
            var reason = $"Role(s) [{caller.RolesText}] may not call {name}.";
            try
            {
                await refusals.ReportAsync(context.GetHttpContext(), name, StatusCode.PermissionDenied, $"withheld from the case file: {reason}", caseIds, context.CancellationToken);
            }
            catch (RpcException ex)
            {
                logger.LogError("The case file withheld {Part} but could not report it to the audit: {Status} {Detail}", part, ex.StatusCode, ex.Status.Detail);
            }

            return (null, null, reason);
        }

        try
        {
            return (await call(), null, null);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.PermissionDenied && part != "intake")
        {
            return (null, null, ex.Status.Detail);
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            if (ex.StatusCode is not (StatusCode.NotFound or StatusCode.PermissionDenied))
            {
                logger.LogWarning("Case file part {Part} unavailable: {Status} {Detail}", part, ex.StatusCode, ex.Status.Detail);
            }

            return (null, ex, null);
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
