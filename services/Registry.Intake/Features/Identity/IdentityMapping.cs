using Google.Protobuf.WellKnownTypes;
using Registry.Intake.Features.Cases;
using Registry.Intake.Features.Duplicates;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Features.Identity;

public static class IdentityMapping
{
    public static UpdateIdentityResponse ToProto(this IdentityUpdated u)
    {
        var response = new UpdateIdentityResponse { Case = u.Case.ToProto() };
        response.DuplicateCandidates.AddRange(u.DuplicateCandidates.Select(d => d.ToProto()));
        return response;
    }

    public static ListIdentityAssertionsResponse ToProto(this AssertionPage p)
    {
        var response = new ListIdentityAssertionsResponse { NextPageToken = p.Page.NextPageToken };
        response.Assertions.AddRange(p.Page.Items.Select(a => a.ToProto(p.Current.Contains(a.Id))));
        return response;
    }

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
}
