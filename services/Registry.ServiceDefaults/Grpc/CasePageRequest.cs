namespace Registry.ServiceDefaults.Grpc;

/// <summary>
/// A validated request for one page of a case's sub-collection (its timeline, encounters, assertions...):
/// <c>case_id</c> a UUID, then <c>page_size</c> and <c>page_token</c> as <see cref="PageRequest"/>, the token
/// tied to <c>{collection}/{case_id}</c>. Every bad field is named in one INVALID_ARGUMENT.
/// </summary>
public sealed record CasePageRequest(Guid CaseId, PageRequest Page)
{
    public static CasePageRequest Validate(string caseId, int pageSize, string? pageToken, string collection)
    {
        var errors = new FieldViolations();
        var id = errors.Uuid("case_id", caseId, required: true);
        var page = errors.Page(pageSize, pageToken, $"{collection}/{caseId}");
        errors.ThrowIfAny();
        return new CasePageRequest(id!.Value, page);
    }
}
