using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Intake.Messaging;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Grpc;

/// <summary>
/// The intake service's gRPC surface: validates, loads, asks the domain, stores the change and its
/// event in one transaction. One partial file per area (registration, identity and status, ...).
/// </summary>
public sealed partial class IntakeGrpcService : IntakeService.IntakeServiceBase
{
    private const string CaseType = "registry.intake.v1.Case";

    private readonly IntakeDbContext _db;
    private readonly OutboxSignal<IntakeDbContext> _outbox;
    private readonly NotificationSignal _notifications;
    private readonly TimeProvider _clock;
    private readonly ILogger<IntakeGrpcService> _logger;

    public IntakeGrpcService(
        IntakeDbContext db, OutboxSignal<IntakeDbContext> outbox, NotificationSignal notifications, TimeProvider clock, ILogger<IntakeGrpcService> logger)
    {
        _db = db;
        _outbox = outbox;
        _notifications = notifications;
        _clock = clock;
        _logger = logger;
    }

    private DateTimeOffset Now => _clock.GetUtcNow().ToMicroseconds();

    public override async Task<RegisterCaptureResponse> RegisterCapture(RegisterCaptureRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var now = Now;
        var registration = RegisterCaptureValidator.Validate(request, now);
        var hash = SHA256.HashData(request.ToByteArray());

        if (await FindByRequestAsync(registration.RequestId, ct) is { } earlier)
        {
            return await ReplayAsync(earlier, hash, ct);
        }

        var entity = NewCase(registration, hash, now);
        var assertions = entity.Assert(registration.Identity, registration.IdentitySource, now);
        var status = entity.InitialStatus(registration.StatusCategory, now);
        List<Domain.DuplicateCandidate> duplicates;
        await using (var transaction = await _db.Database.BeginTransactionAsync(ct))
        {
            _db.Cases.Add(entity);
            try
            {
                await _db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Either a concurrent call with the same request_id committed first, or a real failure.
                await transaction.RollbackAsync(CancellationToken.None);
                if (await FindByRequestAsync(registration.RequestId, CancellationToken.None) is { } winner)
                {
                    return await ReplayAsync(winner, hash, CancellationToken.None);
                }

                throw;
            }

            _db.IdentityAssertions.AddRange(assertions);
            _db.StatusChanges.Add(status);
            duplicates = await FindDuplicatesAsync(entity, now, ct);
            _db.DuplicateCandidates.AddRange(duplicates);
            // The event names the case number, which the database assigned on the insert above.
            _db.OutboxMessages.Add(OutboxMessage.Create(CaseEvents.Registered(entity), now));
            // Until custody reports the arrival at a place of internment (CustodyAdmitted), the clock runs from registration.
            _db.CaptureCards.Add(Domain.CaptureCard.Owed(entity, Domain.CaptureCardReason.Admission, now, now));
            Raise(entity, Domain.NotificationKind.Registration,
                $"Registered: {Describe(entity)}, captured {entity.CapturedAt:yyyy-MM-dd} at {entity.CapturePlace} by {entity.CapturingAgency}.", now);
            await SequenceNotificationsAsync(ct);
            await _db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        _outbox.Notify();
        _notifications.Notify();
        _logger.LogInformation("Registered case {CaseNumber} ({CaseId}) from {Agency}; {Duplicates} possible duplicates",
            entity.CaseNumber, entity.CaseId, entity.CapturingAgency, duplicates.Count);
        var response = new RegisterCaptureResponse { Case = entity.ToProto() };
        response.DuplicateCandidates.AddRange(duplicates.Select(d => d.ToProto()));
        return response;
    }

    public override async Task<GetCaseResponse> GetCase(GetCaseRequest request, ServerCallContext context)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        errors.ThrowIfAny();

        var found = await FindCaseAsync(caseId!.Value, tracked: false, context.CancellationToken);
        return new GetCaseResponse { Case = found.ToProto() };
    }

    private async Task<CaptureCase> FindCaseAsync(Guid caseId, bool tracked, CancellationToken ct)
    {
        var cases = tracked ? _db.Cases : _db.Cases.AsNoTracking();
        return await cases.SingleOrDefaultAsync(c => c.CaseId == caseId, ct)
            ?? throw RpcErrors.NotFound(CaseType, caseId.ToString());
    }

    /// <summary>Loads a case to change it: it must exist, be the caller's revision, and not be merged away.</summary>
    private async Task<CaptureCase> FindCaseToChangeAsync(Guid caseId, long revision, CancellationToken ct)
    {
        var found = await FindCaseAsync(caseId, tracked: true, ct);
        EnsureNotMerged(found);

        if (found.Revision != revision)
        {
            throw RpcErrors.Aborted(CaseType, caseId.ToString(), revision, found.Revision);
        }

        return found;
    }

    /// <summary>Saves a change guarded by the case's revision: a writer that got in between makes this one ABORTED.</summary>
    private async Task SaveChangeAsync(CaptureCase changed, long expectedRevision, CancellationToken ct)
    {
        try
        {
            await using var transaction = await _db.Database.BeginTransactionAsync(ct);
            await SequenceNotificationsAsync(ct);
            await _db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            _db.ChangeTracker.Clear();
            var current = await _db.Cases.AsNoTracking().Where(c => c.CaseId == changed.CaseId).Select(c => c.Revision).SingleAsync(CancellationToken.None);
            throw RpcErrors.Aborted(CaseType, changed.CaseId.ToString(), expectedRevision, current);
        }

        _outbox.Notify();
        _notifications.Notify();
    }

    private Task<CaptureCase?> FindByRequestAsync(Guid requestId, CancellationToken ct)
    {
        _db.ChangeTracker.Clear();
        return _db.Cases.AsNoTracking().SingleOrDefaultAsync(c => c.RequestId == requestId, ct);
    }

    private async Task<RegisterCaptureResponse> ReplayAsync(CaptureCase earlier, byte[] hash, CancellationToken ct)
    {
        if (!CryptographicOperations.FixedTimeEquals(earlier.RequestHash, hash))
        {
            throw RpcErrors.AlreadyExists(
                $"request_id was already used for a different registration (case {earlier.CaseNumber}); use a new request_id.");
        }

        var response = new RegisterCaptureResponse { Case = earlier.ToProto(), Replayed = true };
        var duplicates = await _db.DuplicateCandidates.AsNoTracking()
            .Where(d => d.CaseId == earlier.CaseId && d.Status == Domain.DuplicateStatus.Open)
            .OrderByDescending(d => d.Score).ToListAsync(ct);
        response.DuplicateCandidates.AddRange(duplicates.Select(d => d.ToProto()));
        return response;
    }

    private static CaptureCase NewCase(CaptureRegistration r, byte[] hash, DateTimeOffset now) => new()
    {
        CaseId = Guid.CreateVersion7(now),
        RequestId = r.RequestId,
        RequestHash = hash,
        CapturedAt = r.Capture.CapturedAt,
        CapturePlace = r.Capture.Place,
        CaptureLatitude = r.Capture.Latitude,
        CaptureLongitude = r.Capture.Longitude,
        CapturingUnit = r.Capture.CapturingUnit,
        CapturingAgency = r.Capture.CapturingAgency,
        CaptureCircumstances = r.Capture.Circumstances,
        RegisteredAt = now,
        UpdatedAt = now,
    };
}
