using Registry.Intake.Features.Duplicates;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Features.Import;

public static class ImportMapping
{
    public static ImportCapturesResponse ToProto(this IReadOnlyList<ImportedRow> rows)
    {
        var response = new ImportCapturesResponse();
        response.Results.AddRange(rows.Select(ToProto));
        return response;
    }

    private static ImportRowResult ToProto(ImportedRow row)
    {
        var result = new ImportRowResult
        {
            Index = row.Index,
            RequestId = row.RequestId,
            Outcome = row.Outcome switch
            {
                ImportOutcome.Created => ImportRowOutcome.Created,
                ImportOutcome.Replayed => ImportRowOutcome.Replayed,
                _ => ImportRowOutcome.Refused,
            },
            CaseId = row.CaseId?.ToString() ?? "",
            CaseNumber = row.CaseNumber is { } number ? Domain.CaptureCase.FormatCaseNumber(number) : "",
            RegisteredAt = row.RegisteredAt is { } at ? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(at) : null,
        };
        result.Violations.AddRange(row.Violations.Select(v => new ImportFieldViolation { Field = v.Field, Description = v.Description }));
        result.DuplicateCandidates.AddRange(row.DuplicateCandidates.Select(d => d.ToProto()));
        return result;
    }
}
