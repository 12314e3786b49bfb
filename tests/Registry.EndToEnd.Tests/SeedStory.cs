using Google.Protobuf.WellKnownTypes;
using Registry.Protos.Common.V1;
using Registry.Protos.Intake.V1;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// The two soldiers of the seed story (shared/seed/news-article.txt), as the capturing unit
/// registers them: captured in the Kursk region on 11 January 2025, one born in 2005 (a rifleman
/// since 2021), the other in 1999 (sniper-reconnaissance since 2016). Their names were not
/// published; the names here are placeholders in Hangul.
/// </summary>
internal static class SeedStory
{
    public static RegisterCaptureRequest Rifleman() => Capture("리", "정혁", 2005);

    public static RegisterCaptureRequest Sniper() => Capture("백", "광순", 1999);

    private static RegisterCaptureRequest Capture(string family, string given, int birthYear) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        Identity = new Identity
        {
            FamilyName = family,
            GivenNames = given,
            DateOfBirth = new PartialDate { Year = birthYear },
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
