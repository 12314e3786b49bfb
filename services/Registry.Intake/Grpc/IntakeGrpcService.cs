using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Contracts;
using Registry.Intake.Data;
using Registry.Intake.Domain;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Data;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Messaging;

namespace Registry.Intake.Grpc;

public sealed class IntakeGrpcService(
    IntakeDbContext db,
    OutboxSignal<IntakeDbContext> outbox,
    TimeProvider clock,
    ILogger<IntakeGrpcService> logger) : IntakeService.IntakeServiceBase
{
    public override async Task<RegisterCaptureResponse> RegisterCapture(RegisterCaptureRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var now = clock.GetUtcNow().ToMicroseconds();
        var registration = RegisterCaptureValidator.Validate(request, now);
        var hash = SHA256.HashData(request.ToByteArray());

        if (await FindByRequestAsync(registration.RequestId, ct) is { } earlier)
        {
            return Replay(earlier, hash);
        }

        var entity = NewCase(registration, hash, now);
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            db.Cases.Add(entity);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Either a concurrent call with the same request_id committed first, or a real failure.
                await transaction.RollbackAsync(CancellationToken.None);
                if (await FindByRequestAsync(registration.RequestId, CancellationToken.None) is { } winner)
                {
                    return Replay(winner, hash);
                }

                throw;
            }

            // The event names the case number, which the database assigned on the insert above.
            db.OutboxMessages.Add(OutboxMessage.Create(ToEvent(entity), now));
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        outbox.Notify();
        logger.LogInformation("Registered case {CaseNumber} ({CaseId}) from {Agency}", entity.CaseNumber, entity.CaseId, entity.CapturingAgency);
        return new RegisterCaptureResponse { Case = entity.ToProto() };
    }

    public override async Task<GetCaseResponse> GetCase(GetCaseRequest request, ServerCallContext context)
    {
        var errors = new FieldViolations();
        var caseId = errors.Uuid("case_id", request.CaseId, required: true);
        errors.ThrowIfAny();

        var found = await db.Cases.AsNoTracking().SingleOrDefaultAsync(c => c.CaseId == caseId, context.CancellationToken)
            ?? throw RpcErrors.NotFound("registry.intake.v1.Case", request.CaseId);
        return new GetCaseResponse { Case = found.ToProto() };
    }

    private Task<CaptureCase?> FindByRequestAsync(Guid requestId, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        return db.Cases.AsNoTracking().SingleOrDefaultAsync(c => c.RequestId == requestId, ct);
    }

    private static RegisterCaptureResponse Replay(CaptureCase earlier, byte[] hash)
    {
        if (!CryptographicOperations.FixedTimeEquals(earlier.RequestHash, hash))
        {
            throw RpcErrors.AlreadyExists(
                $"request_id was already used for a different registration (case {earlier.CaseNumber}); use a new request_id.");
        }

        return new RegisterCaptureResponse { Case = earlier.ToProto(), Replayed = true };
    }

    private static CaptureCase NewCase(CaptureRegistration r, byte[] hash, DateTimeOffset now) => new()
    {
        CaseId = Guid.CreateVersion7(now),
        RequestId = r.RequestId,
        RequestHash = hash,
        FamilyName = r.FamilyName,
        GivenNames = r.GivenNames,
        Rank = r.Rank,
        ServiceNumber = r.ServiceNumber,
        DateOfBirth = r.DateOfBirth,
        Nationality = r.Nationality,
        CapturedAt = r.CapturedAt,
        CapturePlace = r.CapturePlace,
        CapturingUnit = r.CapturingUnit,
        CapturingAgency = r.CapturingAgency,
        RegisteredAt = now,
    };

    private static CaseRegistered ToEvent(CaptureCase c) => new()
    {
        CaseId = c.CaseId,
        CaseNumber = c.CaseNumber,
        FamilyName = c.FamilyName,
        GivenNames = c.GivenNames,
        CapturedAt = c.CapturedAt,
        CapturePlace = c.CapturePlace,
        CapturingAgency = c.CapturingAgency,
        RegisteredAt = c.RegisteredAt,
    };
}
