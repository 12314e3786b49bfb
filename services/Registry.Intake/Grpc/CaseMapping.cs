using Google.Protobuf.WellKnownTypes;
using Registry.Intake.Domain;
using Registry.Protos.Intake.V1;
using ProtoDate = Registry.Protos.Common.V1.PartialDate;
using ProtoSource = Registry.Protos.Intake.V1.AssertionSource;
using ProtoStatus = Registry.Protos.Intake.V1.StatusCategory;
using StatusCategory = Registry.Intake.Domain.StatusCategory;

namespace Registry.Intake.Grpc;

internal static class CaseMapping
{
    public static Case ToProto(this CaptureCase c) => new()
    {
        CaseId = c.CaseId.ToString(),
        CaseNumber = c.CaseNumber,
        Identity = c.Identity.ToProto(),
        Capture = new CaptureEvent
        {
            CapturedAt = Timestamp.FromDateTimeOffset(c.CapturedAt),
            Place = c.CapturePlace,
            CapturingUnit = c.CapturingUnit,
            CapturingAgency = c.CapturingAgency,
            Coordinates = c.CaptureLatitude is { } lat && c.CaptureLongitude is { } lon ? new GeoPoint { Latitude = lat, Longitude = lon } : null,
            Circumstances = c.CaptureCircumstances ?? "",
        },
        RegisteredAt = Timestamp.FromDateTimeOffset(c.RegisteredAt),
        UpdatedAt = Timestamp.FromDateTimeOffset(c.UpdatedAt),
        Revision = c.Revision,
        StatusCategory = c.StatusCategory.ToProto(),
        MergedIntoCaseId = c.MergedIntoCaseId?.ToString() ?? "",
    };

    public static Identity ToProto(this PersonIdentity i)
    {
        var identity = new Identity
        {
            FamilyName = i.FamilyName ?? "",
            GivenNames = i.GivenNames ?? "",
            FamilyNameLatin = i.FamilyNameLatin ?? "",
            GivenNamesLatin = i.GivenNamesLatin ?? "",
            Rank = i.Rank ?? "",
            ServiceNumber = i.ServiceNumber ?? "",
            DateOfBirth = i.DateOfBirth?.ToProto(),
            Nationality = i.Nationality ?? "",
            PlaceOfBirth = i.PlaceOfBirth ?? "",
            DependentPower = i.DependentPower ?? "",
            Sex = i.Sex switch { "MALE" => Sex.Male, "FEMALE" => Sex.Female, _ => Sex.Unspecified },
            MilitaryUnit = i.MilitaryUnit ?? "",
            Role = i.Role ?? "",
            InServiceSince = PartialDate.Parse(i.InServiceSince)?.ToProto(),
            FatherFirstName = i.FatherFirstName ?? "",
            MotherMaidenName = i.MotherMaidenName ?? "",
            PersonToInform = i.PersonToInform ?? "",
            PersonToInformAddress = i.PersonToInformAddress ?? "",
        };
        if (!string.IsNullOrEmpty(i.Languages))
        {
            identity.Languages.AddRange(i.Languages.Split(','));
        }

        return identity;
    }

    public static ProtoDate ToProto(this PartialDate d) => new() { Year = d.Year, Month = d.Month ?? 0, Day = d.Day ?? 0 };

    public static ProtoStatus ToProto(this StatusCategory? s) => s is { } value ? (ProtoStatus)(int)value : ProtoStatus.Unspecified;

    public static ProtoStatus ToProto(this StatusCategory s) => (ProtoStatus)(int)s;

    public static ProtoSource ToProto(this Domain.AssertionSource s) => new()
    {
        Kind = (Protos.Intake.V1.SourceKind)(int)s.Kind,
        DocumentType = s.DocumentType ?? "",
        DocumentNumber = s.DocumentNumber ?? "",
        ReportedBy = s.ReportedBy ?? "",
        Note = s.Note ?? "",
    };

    public static Protos.Intake.V1.IdentityAssertion ToProto(this Domain.IdentityAssertion a, bool current) => new()
    {
        Field = a.Field,
        Value = a.Value ?? "",
        Source = a.Source.ToProto(),
        Obligation = a.RequiredByArticle17 ? Obligation.Required : Obligation.Volunteered,
        AssertedAt = Timestamp.FromDateTimeOffset(a.AssertedAt),
        Revision = a.Revision,
        Current = current,
    };

    public static Protos.Intake.V1.StatusChange ToProto(this Domain.StatusChange s) => new()
    {
        From = s.From.ToProto(),
        To = s.To.ToProto(),
        DecisionReference = s.DecisionReference,
        DecidedBy = s.DecidedBy,
        DecidedAt = Timestamp.FromDateTimeOffset(s.DecidedAt),
        RecordedAt = Timestamp.FromDateTimeOffset(s.RecordedAt),
        Revision = s.Revision,
    };

    public static Protos.Intake.V1.PersonalEffect ToProto(this Domain.PersonalEffect e) => new()
    {
        EffectId = e.EffectId.ToString(),
        Description = e.Description,
        Quantity = e.Quantity,
        Money = e.CurrencyCode is null ? null : new Money { CurrencyCode = e.CurrencyCode, Units = e.AmountUnits ?? 0, Nanos = e.AmountNanos ?? 0 },
        ReceiptNumber = e.ReceiptNumber,
        TakenBy = new EffectTaker { Name = e.TakenByName, Rank = e.TakenByRank ?? "", Unit = e.TakenByUnit },
        TakenAt = Timestamp.FromDateTimeOffset(e.TakenAt),
        Fate = (Protos.Intake.V1.EffectFate)(int)e.Fate,
        FateNote = e.FateNote ?? "",
        FateRecordedAt = e.FateRecordedAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
    };
}
