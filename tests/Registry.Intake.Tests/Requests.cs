using Google.Protobuf.WellKnownTypes;
using Registry.Protos.Common.V1;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Tests;

// Registry.Identity (the authorization server) is a namespace too: the proto type wins here.
using Identity = Registry.Protos.Intake.V1.Identity;

/// <summary>Registrations from the seed story: two soldiers captured in the Kursk region on 11 January 2025.</summary>
internal static class Requests
{
    public static readonly DateTimeOffset CapturedAt = new(2025, 1, 11, 9, 30, 0, TimeSpan.FromHours(3));

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
        Capture = Capture(),
    };

    /// <summary>
    /// The rifleman as first registered: from the identity document he carried, which belonged to
    /// someone else (a Russian military identity card in another man's name).
    /// </summary>
    public static RegisterCaptureRequest RiflemanFromForeignDocument(string serviceNumber) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        Identity = new Identity
        {
            FamilyName = "Ким",
            GivenNames = "Ен Чер",
            FamilyNameLatin = "Kim",
            GivenNamesLatin = "Yen Cher",
            ServiceNumber = serviceNumber,
            DateOfBirth = new PartialDate { Year = 2001, Month = 4, Day = 12 },
            PlaceOfBirth = "Republic of Tuva",
            Nationality = "RU",
            Sex = Sex.Male,
        },
        IdentitySource = new AssertionSource { Kind = SourceKind.Document, DocumentType = "military identity card", DocumentNumber = "AB-1234567" },
        StatusCategory = StatusCategory.PrisonerOfWar,
        Capture = Capture(),
    };

    /// <summary>What the rifleman later says himself, through an interpreter.</summary>
    public static Identity RiflemanOwnStatement() => new()
    {
        FamilyName = "리",
        GivenNames = "정혁",
        FamilyNameLatin = "Ri",
        GivenNamesLatin = "Jong Hyok",
        DateOfBirth = new PartialDate { Year = 2005 },
        Nationality = "KP",
        Rank = "Private",
        Role = "rifleman",
        InServiceSince = new PartialDate { Year = 2021 },
        Languages = { "ko" },
    };

    public static RegisterCaptureRequest SniperInFull() => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        Identity = new Identity
        {
            FamilyName = "백",
            GivenNames = "광순",
            FamilyNameLatin = "Paek",
            GivenNamesLatin = "Kwang Sun",
            Rank = "Junior sergeant",
            ServiceNumber = $"KPA-{Random.Shared.Next(1_000_000, 9_999_999)}",
            DateOfBirth = new PartialDate { Year = 1999, Month = 3 },
            PlaceOfBirth = "Hamhung",
            Nationality = "KP",
            DependentPower = "KP",
            Sex = Sex.Male,
            Languages = { "ko", "ru" },
            MilitaryUnit = "11th Corps",
            Role = "sniper-reconnaissance",
            InServiceSince = new PartialDate { Year = 2016 },
            FatherFirstName = "Chol",
            MotherMaidenName = "Han",
            PersonToInform = "Paek Chol (father)",
            PersonToInformAddress = "Hamhung, South Hamgyong, DPRK",
        },
        IdentitySource = new AssertionSource { Kind = SourceKind.StatedByPerson, Note = "through a Korean interpreter" },
        StatusCategory = StatusCategory.PrisonerOfWar,
        Capture = Capture(),
    };

    private static CaptureEvent Capture() => new()
    {
        CapturedAt = Timestamp.FromDateTimeOffset(CapturedAt),
        Place = "Kursk region",
        CapturingUnit = "Special Operations Forces",
        CapturingAgency = "UA-SSO",
        Coordinates = new GeoPoint { Latitude = 51.3, Longitude = 35.1 },
        Circumstances = "Taken wounded after a firefight; one man had a face and jaw injury from a grenade.",
    };
}
