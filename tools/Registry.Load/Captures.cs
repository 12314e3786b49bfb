using Google.Protobuf.WellKnownTypes;
using Registry.Protos.Common.V1;
using Registry.Protos.Intake.V1;

namespace Registry.Load;

/// <summary>
/// Realistic RegisterCapture requests: names in the scripts the registry meets (Hangul, Cyrillic,
/// Latin, Arabic), a partly known date of birth, a capture in the last weeks, and a unique request_id.
/// </summary>
public static class Captures
{
    private static readonly (string Family, string Given, string Nationality)[] People =
    [
        ("리", "정혁", "KP"), ("백", "광순", "KP"), ("김", "철민", "KP"), ("박", "영수", "KP"),
        ("Іваненко", "Петро Васильович", "UA"), ("Смирнов", "Алексей Игоревич", "RU"), ("Кузнецов", "Дмитрий", "RU"),
        ("Novák", "Jiří", "CZ"), ("Müller", "Jörg", "DE"), ("O'Brien", "Seán", "IE"),
        ("الحسن", "محمد", "SY"), ("Nguyễn", "Văn An", "VN"),
    ];

    private static readonly string[] Ranks = ["Private", "Corporal", "Sergeant", "Junior Lieutenant", ""];
    private static readonly string[] Places = ["Kursk region", "Sudzha district", "Pokrovsk direction", "Zaporizhzhia region", "Kharkiv region"];
    private static readonly (string Unit, string Agency)[] Units =
    [
        ("Special Operations Forces", "UA-SSO"), ("47th Mechanized Brigade", "UA-AF"), ("Security Service of Ukraine", "UA-SBU"),
    ];

    public static RegisterCaptureRequest Next(Random random)
    {
        var person = People[random.Next(People.Length)];
        var unit = Units[random.Next(Units.Length)];
        var birthYear = 1975 + random.Next(32);
        var knowsMonth = random.Next(3) > 0;
        return new RegisterCaptureRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Identity = new Identity
            {
                FamilyName = person.Family,
                GivenNames = person.Given,
                Rank = Ranks[random.Next(Ranks.Length)],
                ServiceNumber = random.Next(4) == 0 ? "" : $"{(char)('A' + random.Next(26))}-{random.Next(100_000, 999_999)}",
                DateOfBirth = new PartialDate
                {
                    Year = birthYear,
                    Month = knowsMonth ? 1 + random.Next(12) : 0,
                    Day = knowsMonth && random.Next(2) == 0 ? 1 + random.Next(28) : 0,
                },
                Nationality = person.Nationality,
            },
            Capture = new CaptureEvent
            {
                CapturedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-random.Next(60 * 24 * 30))),
                Place = Places[random.Next(Places.Length)],
                CapturingUnit = unit.Unit,
                CapturingAgency = unit.Agency,
            },
        };
    }
}
