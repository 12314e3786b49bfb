using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Intake.Features.CaptureCards;

/// <summary>A validated ListOverdue request: what was late at <see cref="AsOf"/>, from <see cref="After"/> on.</summary>
public sealed record OverdueQuery(DateTimeOffset AsOf, PageRequest Page, OverduePosition After);

public static class ListOverdueValidator
{
    public static OverdueQuery Validate(ListOverdueRequest request, DateTimeOffset now)
    {
        var errors = new FieldViolations();
        var asOf = now;
        if (request.AsOf is not null)
        {
            if (request.AsOf.Seconds is < 0 or > 253402300799 || request.AsOf.Nanos is < 0 or > 999_999_999)
            {
                errors.Add("as_of", "is not a valid timestamp");
            }
            else
            {
                asOf = request.AsOf.ToDateTimeOffset().ToMicroseconds();
            }
        }

        var page = errors.Page(request.PageSize, request.PageToken, $"overdue/{asOf.UtcTicks}");
        var position = OverduePosition.Parse(page.Position);
        if (position is null)
        {
            errors.Add("page_token", "is not a page token of this query; start again without one");
        }

        errors.ThrowIfAny();
        return new OverdueQuery(asOf, page, position!.Value);
    }
}
