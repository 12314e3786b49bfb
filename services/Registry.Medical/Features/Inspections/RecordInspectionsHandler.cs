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
/// (<see cref="InspectionBatchValidator.ItemRequestId"/>), answered in request order. A person refused (bad fields, listed
/// twice, unknown case, a rule such as CASE_MERGED) is answered so in its place and the others go on; each person's
/// inspection restarts that record's clock (30 days from it, <c>MedicalRecord.RecordEncounter</c>). The persons are
/// checked first, then written <see cref="Parallelism"/> at a time (each its own scope and database session: different
/// records, so they do not contend), so that a full batch stays well inside the call's 10 s bound. A failing store or
/// the call's end stops the batch with that error: the persons recorded before it stay, and replaying the batch
/// records the rest.
/// </summary>
public sealed class RecordInspectionsHandler(IServiceScopeFactory scopes, TimeProvider clock, ILogger<RecordInspectionsHandler> logger)
{
    /// <summary>Persons written at once: a few database sessions of the pool's 100, and more than the cores of a small host.</summary>
    public const int Parallelism = 4;

    public async Task<RecordInspectionsResponse> HandleAsync(InspectionBatch batch, CallerIdentity caller, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var results = batch.Persons.Select(p => new InspectionResult { CaseId = p.CaseId }).ToArray();
        var entries = new EncounterEntry?[batch.Persons.Count];
        var seen = new Dictionary<Guid, int>();
        for (var i = 0; i < batch.Persons.Count; i++)
        {
            try
            {
                var entry = EncounterValidator.Validate(batch.Persons[i], now, $"inspections[{i}].");
                if (!seen.TryAdd(entry.CaseId, i))
                {
                    throw RpcErrorsFor($"inspections[{i}].case_id", $"lists the case already listed at inspections[{seen[entry.CaseId]}]: one inspection per person and day");
                }

                entries[i] = entry;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument)
            {
                results[i].Refused = Refusal(ex);
            }
        }

        await Parallel.ForEachAsync(Enumerable.Range(0, entries.Length).Where(i => entries[i] is not null),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
            async (i, token) =>
            {
                await using var scope = scopes.CreateAsyncScope();
                var encounters = scope.ServiceProvider.GetRequiredService<RecordEncounterHandler>();
                try
                {
                    results[i].Recorded = (await encounters.HandleAsync(entries[i]!, caller, token)).ToProto();
                }
                catch (RpcException ex) when (ex.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound
                                                  or StatusCode.FailedPrecondition or StatusCode.AlreadyExists or StatusCode.Aborted)
                {
                    results[i].Refused = Refusal(ex);
                }
                catch (RuleViolationException ex)
                {
                    results[i].Refused = new InspectionRefusal { Code = "FAILED_PRECONDITION", Reason = ex.Reason, Message = ex.Message };
                }
            });

        logger.LogInformation("Inspections of {Count} persons at {Place}: {Recorded} recorded, {Refused} refused",
            results.Length, batch.Persons[0].Place, results.Count(r => r.Recorded is not null), results.Count(r => r.Refused is not null));
        return new RecordInspectionsResponse { Results = { results } };
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
