using Registry.Custody.Domain;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Custody.Features.Records;

/// <summary>The one reading of a <c>Facility</c> field of a custody request, for every validator that takes a place.</summary>
public static class FacilityInput
{
    /// <summary>
    /// <paramref name="value"/> as a facility: <c>name</c> required (at most <see cref="Facility.NameMaxLength"/>),
    /// <c>locality</c> optional (at most <see cref="Facility.LocalityMaxLength"/>), <c>country</c> an ISO 3166-1 alpha-2
    /// code (required when <paramref name="requireCountry"/>). Each bad part is a violation on <c>{field}.part</c>; an
    /// absent field is one on <paramref name="field"/> saying it is required for <paramref name="purpose"/>. Null when bad.
    /// </summary>
    public static Facility? Read(FieldViolations errors, string field, Protos.Custody.V1.Facility? value, string purpose, bool requireCountry = false)
    {
        if (value is null)
        {
            errors.Add(field, $"is required: {purpose}");
            return null;
        }

        var name = errors.Text($"{field}.name", value.Name, Facility.NameMaxLength, required: true);
        var locality = errors.Text($"{field}.locality", value.Locality, Facility.LocalityMaxLength, required: false);
        var country = errors.CountryCode($"{field}.country", value.Country, required: requireCountry);
        return name is null ? null : new Facility(name, locality, country);
    }
}
