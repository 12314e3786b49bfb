using Google.Protobuf.WellKnownTypes;
using Registry.Intake.Domain;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Grpc;

internal static class CaseMapping
{
    public static Case ToProto(this CaptureCase c) => new()
    {
        CaseId = c.CaseId.ToString(),
        CaseNumber = c.CaseNumber,
        Identity = new Identity
        {
            FamilyName = c.FamilyName,
            GivenNames = c.GivenNames,
            Rank = c.Rank ?? "",
            ServiceNumber = c.ServiceNumber ?? "",
            Nationality = c.Nationality ?? "",
            DateOfBirth = c.DateOfBirth is { } d
                ? new Registry.Protos.Common.V1.PartialDate { Year = d.Year, Month = d.Month ?? 0, Day = d.Day ?? 0 }
                : null,
        },
        Capture = new CaptureEvent
        {
            CapturedAt = Timestamp.FromDateTimeOffset(c.CapturedAt),
            Place = c.CapturePlace,
            CapturingUnit = c.CapturingUnit,
            CapturingAgency = c.CapturingAgency,
        },
        RegisteredAt = Timestamp.FromDateTimeOffset(c.RegisteredAt),
    };
}
