using Grpc.Core;
using Registry.Custody.Domain;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Domain;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Custody.Features.Fitness;

/// <summary>
/// What custody learned from medical before a transfer or an interview, for the timeline event's note and the
/// answer: the verdict (fit, fit with conditions, unfit, or no assessment in force), its conditions and validity, or,
/// when the move went ahead without a fit verdict, the override reason recorded for it (GC III Art. 47: safety).
/// </summary>
public sealed record FitnessCheck(FitnessPurpose Purpose, FitnessOutcome Outcome, string Conditions, DateTimeOffset? ValidUntil, string? AssessmentId, string? OverrideReason, string? MedicalAnswer)
{
    /// <summary>
    /// One line for the chain's note, e.g. "fitness for TRANSFER: FIT_WITH_CONDITIONS until 2025-03-01 (assessment 1f…;
    /// its conditions from medical's GetFitness)". Never the conditions' text: the timeline is read by roles that may not
    /// ask medical (an intake officer, a partner), it is hashed and cannot be redacted later, and conditions may say
    /// more of the person's health than the verdict (GC III Art. 30-31: medical confidentiality). The custodian who must
    /// follow them reads them from medical.
    /// </summary>
    public string Describe()
    {
        var verdict = Outcome switch
        {
            FitnessOutcome.Fit or FitnessOutcome.FitWithConditions or FitnessOutcome.Unfit =>
                $"{OutcomeName(Outcome)}{(ValidUntil is { } v ? $" until {v:yyyy-MM-dd}" : "")}{(AssessmentId is null ? "" : $" (assessment {AssessmentId}{(Outcome == FitnessOutcome.FitWithConditions ? "; its conditions from medical's GetFitness" : "")})")}",
            _ => MedicalAnswer ?? "no assessment in force",
        };
        return OverrideReason is null ? $"fitness for {Purpose.ToString().ToUpperInvariant()}: {verdict}"
            : $"fitness for {Purpose.ToString().ToUpperInvariant()}: {verdict}; overridden: {OverrideReason}";
    }

    /// <summary>The outcome as medical.proto names it, without its prefix: FIT, FIT_WITH_CONDITIONS, UNFIT.</summary>
    private static string OutcomeName(FitnessOutcome outcome) =>
        string.Concat(outcome.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();
}

/// <summary>
/// Custody's question to medical before a transfer (GC III Art. 46-48) or an interview (Art. 17): is the person fit
/// for it at that instant? Asked over gRPC (<c>MedicalService.GetFitness</c>) with the caller's token, within the
/// caller's deadline (call-context propagation) and at most <see cref="CustodyFitnessOptions.Timeout"/>; the trace
/// continues into medical. Fit and fit-with-conditions let the move go ahead; unfit or no assessment in force refuse
/// it (FAILED_PRECONDITION, reason <c>UNFIT_FOR_TRANSFER</c> / <c>UNFIT_FOR_INTERVIEW</c> or
/// <c>NO_FITNESS_ASSESSMENT</c>), and medical unreachable answers UNAVAILABLE, unless the caller recorded an override
/// reason, which then goes with the move into the timeline. When the caller's own deadline runs out first, the answer is
/// DEADLINE_EXCEEDED (<c>CALLER_DEADLINE_EXCEEDED</c>), even with an override reason: the caller has given up, so nothing
/// is moved.
/// </summary>
public sealed class MedicalFitness(
    MedicalService.MedicalServiceClient? medical, CustodyFitnessOptions options, ILogger<MedicalFitness> logger, IHttpContextAccessor? http)
{
    public async Task<FitnessCheck> CheckAsync(Guid caseId, FitnessPurpose purpose, DateTimeOffset at, string? overrideReason, string subject, CancellationToken ct)
    {
        GetFitnessResponse answer;
        var ownDeadline = DateTime.UtcNow + options.Timeout;
        var callersDeadline = CallerDeadline.Of(http);
        try
        {
            if (medical is null)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "custody has no address for medical (Services:Medical)"));
            }

            answer = await medical.GetFitnessAsync(
                new GetFitnessRequest { CaseId = caseId.ToString(), Purpose = purpose, At = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(at) },
                deadline: ownDeadline, cancellationToken: ct);
        }
        catch (RpcException ex) when (CallerDeadline.RanOut(callersDeadline, ownDeadline))
        {
            logger.LogInformation("The caller's deadline ran out while custody asked medical about fitness for case {CaseId} ({Purpose}): {Status}", caseId, purpose, ex.StatusCode);
            throw RpcErrors.CallerDeadlineExceeded("medical",
                $"The call's deadline ran out while custody waited for medical's answer on fitness for {Label(purpose)}; nothing was stored. Call again with a longer deadline.");
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            // Medical holds no record of the case yet: no assessment is in force.
            answer = new GetFitnessResponse { CaseId = caseId.ToString(), Purpose = purpose, Standing = FitnessStanding.None };
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Medical did not answer the fitness question for case {CaseId} ({Purpose}): {Status}", caseId, purpose, ex.StatusCode);
            if (overrideReason is null)
            {
                throw RpcErrors.Unavailable(
                    $"Medical did not answer whether the person is fit for {Label(purpose)} ({ex.StatusCode}); call again, or record an override reason.");
            }

            return new FitnessCheck(purpose, FitnessOutcome.Unspecified, "", null, null, overrideReason, $"medical unavailable ({ex.StatusCode})");
        }

        if (answer.Standing == FitnessStanding.InForce && answer.Assessment is { } a)
        {
            var check = new FitnessCheck(purpose, a.Outcome, a.Conditions, a.ValidUntil?.ToDateTimeOffset(), a.AssessmentId,
                a.Outcome == FitnessOutcome.Unfit ? overrideReason : null, null);
            if (a.Outcome == FitnessOutcome.Unfit && overrideReason is null)
            {
                throw new RuleViolationException($"UNFIT_FOR_{Reason(purpose)}", CustodyRecord.ResourceType, subject,
                    $"Medical assessed the person unfit for {Label(purpose)} until {a.ValidUntil?.ToDateTimeOffset():yyyy-MM-dd} (assessment {a.AssessmentId}); record an override reason if safety demands it (GC III Art. 47).");
            }

            return check;
        }

        var none = answer.DiedAt is not null ? "medical recorded the person's death" : answer.ExpiredAt is { } expired
            ? $"the latest assessment expired on {expired.ToDateTimeOffset():yyyy-MM-dd}" : "no assessment for it was ever made";
        if (overrideReason is null)
        {
            throw new RuleViolationException("NO_FITNESS_ASSESSMENT", CustodyRecord.ResourceType, subject,
                $"No assessment of fitness for {Label(purpose)} is in force at {at:u} ({none}); ask medical for one, or record an override reason (GC III Art. 47).");
        }

        return new FitnessCheck(purpose, FitnessOutcome.Unspecified, "", null, null, overrideReason, $"no assessment in force: {none}");
    }

    private static string Label(FitnessPurpose purpose) => purpose.ToString().ToLowerInvariant();

    private static string Reason(FitnessPurpose purpose) => purpose.ToString().ToUpperInvariant();
}

/// <summary>Custody's fitness question to medical (configuration: <c>Services:Medical</c>, the address; <c>Custody:FitnessCallTimeout</c>, the deadline, 3 s by default).</summary>
public sealed class CustodyFitnessOptions
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(3);
}
