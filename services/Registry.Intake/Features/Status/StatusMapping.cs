using Google.Protobuf.WellKnownTypes;
using Registry.Intake.Features.Cases;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Features.Status;

public static class StatusMapping
{
    public static ListStatusChangesResponse ToProto(this Page<Domain.StatusChange> page)
    {
        var response = new ListStatusChangesResponse { NextPageToken = page.NextPageToken };
        response.StatusChanges.AddRange(page.Items.Select(s => s.ToProto()));
        return response;
    }

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
}
