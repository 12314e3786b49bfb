using Google.Protobuf.WellKnownTypes;
using Registry.Protos.Common.V1;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Tests;

/// <summary>Registrations from the seed story: two soldiers captured in the Kursk region on 11 January 2025.</summary>
internal static class Requests
{
    public static RegisterCaptureRequest Rifleman() => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        Identity = new Identity
        {
            FamilyName = "리",
            GivenNames = "정혁",
            Rank = "Private",
            DateOfBirth = new PartialDate { Year = 2005 },
            Nationality = "KP",
        },
        Capture = new CaptureEvent
        {
            CapturedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 1, 11, 9, 30, 0, TimeSpan.FromHours(3))),
            Place = "Kursk region",
            CapturingUnit = "Special Operations Forces",
            CapturingAgency = "UA-SSO",
        },
    };
}
