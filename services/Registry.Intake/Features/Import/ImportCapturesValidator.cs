using Google.Rpc;
using Registry.Intake.Domain;
using Registry.Intake.Features.Registration;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Grpc;

namespace Registry.Intake.Features.Import;

/// <summary>
/// One row of an import as read: its position, its request_id as sent, and either the registration
/// (<see cref="Registration"/>) or why it cannot be one (<see cref="Violations"/>, paths inside the row).
/// </summary>
public sealed record ImportRow(int Index, string RequestId, CaptureRegistration? Registration, IReadOnlyList<BadRequest.Types.FieldViolation> Violations)
{
    /// <summary>
    /// Whether the row is a RegisterCapture call committed with others by <see cref="RegistrationBatcher"/>, not a row of the
    /// current ImportCaptures call: then its event carries <see cref="Cause"/> on, even when that is null (a call not traced),
    /// never the batch's span, which belongs to another caller's trace.
    /// </summary>
    public bool FromCall { get; init; }

    /// <summary>With <see cref="FromCall"/>: the span of the call the row came from (null when it was not traced).</summary>
    public System.Diagnostics.Activity? Cause { get; init; }

    /// <summary>
    /// The keys of its case's duplicate locks (<see cref="Duplicates.DuplicateLocks.KeysOf"/>), when they were computed to split
    /// the rows into parts (<see cref="Duplicates.DuplicateLocks.Parts"/>); null: computed from the case when it is locked.
    /// </summary>
    public IReadOnlyCollection<int>? LockKeys { get; init; }
}

/// <summary>
/// Checks an ImportCaptures call: the call itself (1 to <see cref="MaxRows"/> rows, else INVALID_ARGUMENT naming
/// <c>rows</c> and nothing stored), then each row exactly as RegisterCapture checks its request
/// (<see cref="RegisterCaptureValidator.Read"/>), a bad row's violations kept for its result instead of failing the call.
/// </summary>
public static class ImportCapturesValidator
{
    /// <summary>An import carries at most this many rows (the contract's limit; a 1,000-row call of full rows is about 1 MB).</summary>
    public const int MaxRows = 1000;

    public static IReadOnlyList<ImportRow> Validate(ImportCapturesRequest request, DateTimeOffset now)
    {
        if (request.Rows.Count is 0 or > MaxRows)
        {
            var errors = new FieldViolations();
            errors.Add("rows", request.Rows.Count == 0
                ? "at least one row is required"
                : $"must be at most {MaxRows} rows (got {request.Rows.Count}); send the list in several calls");
            errors.ThrowIfAny();
        }

        var rows = new ImportRow[request.Rows.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var errors = new FieldViolations();
            var registration = RegisterCaptureValidator.Read(request.Rows[i], now, errors);
            rows[i] = new ImportRow(i, request.Rows[i].RequestId, registration, errors.Violations);
        }

        return rows;
    }
}
