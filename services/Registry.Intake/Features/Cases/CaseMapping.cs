using Google.Protobuf.WellKnownTypes;
using Registry.Intake.Domain;
using Registry.Protos.Intake.V1;
using ProtoIdentity = Registry.Protos.Intake.V1.Identity;
using ProtoDate = Registry.Protos.Common.V1.PartialDate;
using ProtoSource = Registry.Protos.Intake.V1.AssertionSource;
using ProtoStatus = Registry.Protos.Intake.V1.StatusCategory;
using StatusCategory = Registry.Intake.Domain.StatusCategory;

namespace Registry.Intake.Features.Cases;

/// <summary>The case as the contract shows it; every feature that answers with a case maps it here.</summary>
public static class CaseMapping
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
        AlsoKnownAs = { c.AliasNames },
    };

    public static ProtoIdentity ToProto(this PersonIdentity i)
    {
        var identity = new ProtoIdentity
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
}
