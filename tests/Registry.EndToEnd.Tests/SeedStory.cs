using Google.Protobuf.WellKnownTypes;
using Registry.Protos.Common.V1;
using Registry.Protos.Intake.V1;

namespace Registry.EndToEnd.Tests;

// Registry.Identity (the authorization server) is a namespace too: the proto type wins here.
using Identity = Registry.Protos.Intake.V1.Identity;

/// <summary>
/// The two soldiers of the seed story (shared/seed/news-article.txt), as the capturing unit
/// registers them: captured in the Kursk region on 11 January 2025, one born in 2005 (a rifleman
/// since 2021), the other in 1999 (sniper-reconnaissance since 2016). Their names were not
/// published; the names here are placeholders in Hangul.
/// </summary>
internal static class SeedStory
{
    public static readonly DateTimeOffset CapturedAt = new(2025, 1, 11, 9, 30, 0, TimeSpan.FromHours(3));

    public static RegisterCaptureRequest Rifleman() => Capture("리", "정혁", 2005);

    public static RegisterCaptureRequest Sniper() => Capture("백", "광순", 1999);

    /// <summary>
    /// The rifleman as the capturing unit first registers him: from the Russian military identity card he
    /// carried, which turns out to be another man's (reported: North Korean soldiers were given Russian
    /// documents of soldiers from Tuva).
    /// </summary>
    public static RegisterCaptureRequest RiflemanFromDocument(string documentNumber)
    {
        var request = Capture("Ким", "Ен Чер", 2001);
        request.Identity.FamilyNameLatin = "Kim";
        request.Identity.GivenNamesLatin = "Yen Cher";
        request.Identity.DateOfBirth = new PartialDate { Year = 2001, Month = 4, Day = 12 };
        request.Identity.PlaceOfBirth = "Republic of Tuva";
        request.Identity.Nationality = "RU";
        request.IdentitySource = new AssertionSource { Kind = SourceKind.Document, DocumentType = "military identity card", DocumentNumber = documentNumber };
        request.StatusCategory = StatusCategory.PrisonerOfWar;
        request.Capture.Circumstances = "Taken wounded in a clearing operation.";
        return request;
    }

    /// <summary>What the rifleman says himself, through a Korean interpreter: born in 2005, a rifleman since 2021.</summary>
    public static Identity RiflemanOwnStatement() => new()
    {
        FamilyName = "리",
        GivenNames = "정혁",
        FamilyNameLatin = "Ri",
        GivenNamesLatin = "Jong Hyok",
        DateOfBirth = new PartialDate { Year = 2005 },
        Nationality = "KP",
        Role = "rifleman",
        InServiceSince = new PartialDate { Year = 2021 },
        Languages = { "ko" },
    };

    /// <summary>The sniper in his own words: born in 1999, sniper-reconnaissance since 2016; injured by his own grenade.</summary>
    public static RegisterCaptureRequest SniperStated()
    {
        var request = Capture("백", "광순", 1999);
        request.Identity.FamilyNameLatin = "Paek";
        request.Identity.GivenNamesLatin = "Kwang Sun";
        request.Identity.Role = "sniper-reconnaissance";
        request.Identity.InServiceSince = new PartialDate { Year = 2016 };
        request.Identity.Languages.Add("ko");
        request.IdentitySource = new AssertionSource { Kind = SourceKind.StatedByPerson, Note = "through a Korean interpreter" };
        request.StatusCategory = StatusCategory.PrisonerOfWar;
        request.Capture.Circumstances = "Detonated a grenade near his face as troops approached; face and jaw injury.";
        return request;
    }

    /// <summary>The security service that holds the rifleman registers him too, from his own statement, under its own reference.</summary>
    public static RegisterCaptureRequest RiflemanBySecurityService()
    {
        var request = Capture("리", "정혁", 2005);
        request.Identity.FamilyNameLatin = "Ri";
        request.Identity.GivenNamesLatin = "Jong Hyok";
        request.IdentitySource = new AssertionSource { Kind = SourceKind.StatedByPerson };
        request.StatusCategory = StatusCategory.PrisonerOfWar;
        request.Capture.CapturingUnit = "SBU detention facility, Kyiv";
        request.Capture.CapturingAgency = "UA-SBU";
        return request;
    }

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
            CapturedAt = Timestamp.FromDateTimeOffset(CapturedAt),
            Place = "Kursk region",
            CapturingUnit = "Special Operations Forces",
            CapturingAgency = "UA-SSO",
        },
    };
}
