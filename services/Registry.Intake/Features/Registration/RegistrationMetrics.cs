using System.Diagnostics;
using System.Diagnostics.Metrics;
using Registry.ServiceDefaults.Telemetry;

namespace Registry.Intake.Features.Registration;

/// <summary>
/// <c>registry.registrations</c> (counter, {registration}) on <see cref="RegistryTelemetry.Meter"/>: every capture a
/// caller asked to register, by RegisterCapture or as a row of ImportCaptures, tagged with the caller's agency
/// (<see cref="AgencyTag"/>, from its verified token: a bounded set, the registered agency systems) and the outcome
/// (<see cref="OutcomeTag"/>): <c>created</c>, <c>replayed</c> (the request_id was seen before), <c>refused</c>
/// (bad input or a rule of the register: INVALID_ARGUMENT, FAILED_PRECONDITION, ALREADY_EXISTS, ABORTED, OUT_OF_RANGE;
/// nothing stored) or <c>failed</c> (the service could not answer: UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL). Calls the access table refused never reach intake's
/// handlers: they are <c>registry.access.denials</c>.
/// </summary>
public static class RegistrationMetrics
{
    public const string AgencyTag = "registry.agency";
    public const string OutcomeTag = "registry.outcome";
    public const string Created = "created";
    public const string Replayed = "replayed";
    public const string Refused = "refused";
    public const string Failed = "failed";

    /// <summary>The outcome of a registration that ended with <paramref name="status"/>.</summary>
    public static string OutcomeOf(global::Grpc.Core.StatusCode status) => status is global::Grpc.Core.StatusCode.InvalidArgument or global::Grpc.Core.StatusCode.FailedPrecondition
        or global::Grpc.Core.StatusCode.AlreadyExists or global::Grpc.Core.StatusCode.Aborted or global::Grpc.Core.StatusCode.OutOfRange
        ? Refused
        : Failed;

    public static readonly Counter<long> Registrations = RegistryTelemetry.Meter.CreateCounter<long>(
        "registry.registrations", "{registration}", "Captures registered, replayed or refused, by agency");

    public static void Count(string agency, string outcome, long count = 1)
    {
        if (count > 0)
        {
            Registrations.Add(count, new TagList { { AgencyTag, agency }, { OutcomeTag, outcome } });
        }
    }
}
