using Google.Rpc;
using Grpc.Core;
using Registry.Medical.Features.Encounters;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Domain;
using Registry.ServiceDefaults.Security;

namespace Registry.Medical.Features.Inspections;

/// <summary>
/// The monthly inspections (GC III Art. 31) of the persons of one facility on one day, each entered as
/// <see cref="RecordEncounterHandler"/> enters an inspection, each in its own transaction and with its own idempotency key
/// (<see cref="InspectionBatchValidator.ItemRequestId"/>), in request order. A person refused (bad fields, unknown case,
/// a rule such as CASE_MERGED) is answered so in its place and the others go on; each person's inspection restarts
/// that record's clock (30 days from it, <c>MedicalRecord.RecordEncounter</c>). A failing store or a cancelled call
/// stops the batch with that error: the persons recorded before it stay, and replaying the batch records the rest.
/// </summary>
public sealed class RecordInspectionsHandler(RecordEncounterHandler encounters, TimeProvider clock, ILogger<RecordInspectionsHandler> logger)
{
    public async Task<RecordInspectionsResponse> HandleAsync(InspectionBatch batch, CallerIdentity caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var response = new RecordInspectionsResponse();
        var seen = new Dictionary<Guid, int>();
        for (var i = 0; i < batch.Persons.Count; i++)
        {
            var person = batch.Persons[i];
            var result = new InspectionResult { CaseId = person.CaseId };
            try
            {
                var entry = EncounterValidator.Validate(person, now, $"inspections[{i}].");
                if (!seen.TryAdd(entry.CaseId, i))
                {
                    throw RpcErrorsFor($"inspections[{i}].case_id", $"lists the case already listed at inspections[{seen[entry.CaseId]}]: one inspection per person and day");
                }

                result.Recorded = (await encounters.HandleAsync(entry, caller, ct)).ToProto();
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound
                                              or StatusCode.FailedPrecondition or StatusCode.AlreadyExists or StatusCode.Aborted)
            {
                result.Refused = Refusal(ex);
            }
            catch (RuleViolationException ex)
            {
                result.Refused = new InspectionRefusal { Code = "FAILED_PRECONDITION", Reason = ex.Reason, Message = ex.Message };
            }

            response.Results.Add(result);
        }

        logger.LogInformation("Inspections of {Count} persons at {Place}: {Recorded} recorded, {Refused} refused",
            batch.Persons.Count, batch.Persons[0].Place, response.Results.Count(r => r.Recorded is not null), response.Results.Count(r => r.Refused is not null));
        return response;
    }

    private static RpcException RpcErrorsFor(string field, string description) =>
        ServiceDefaults.Grpc.RpcErrors.InvalidArgument([new BadRequest.Types.FieldViolation { Field = field, Description = description }]);

    /// <summary>What the call would have answered for this person alone, as data.</summary>
    private static InspectionRefusal Refusal(RpcException ex)
    {
        var status = ex.GetRpcStatus();
        var refusal = new InspectionRefusal
        {
            Code = ToCodeName(ex.StatusCode),
            Reason = status?.GetDetail<ErrorInfo>()?.Reason ?? "",
            Message = status?.Message ?? ex.Status.Detail,
        };
        foreach (var v in status?.GetDetail<BadRequest>()?.FieldViolations ?? [])
        {
            refusal.FieldViolations.Add(new InspectionFieldViolation { Field = v.Field, Description = v.Description });
        }

        return refusal;
    }

    /// <summary>INVALID_ARGUMENT for StatusCode.InvalidArgument: the canonical name of google.rpc.Code.</summary>
    private static string ToCodeName(StatusCode code) =>
        string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();
}
