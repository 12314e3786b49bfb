using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Registry.ServiceDefaults.Domain;
using Registry.ServiceDefaults.Grpc;

namespace Registry.ServiceDefaults.Data;

/// <summary>
/// A write's idempotency key: the caller's <c>request_id</c> and the SHA-256 (32 bytes) of the request's
/// protobuf encoding, so that the same id with a different request can be told from a retry. The hash is taken
/// with the request's <c>request_id</c> field in its canonical spelling (lower-case 8-4-4-4-12), so that a retry that
/// spells the same UUID otherwise (upper case, braces, no hyphens) is a replay, not a different request.
/// </summary>
public sealed record IdempotencyKey(Guid RequestId, byte[] RequestHash)
{
    public const string RequestIdField = "request_id";

    public static IdempotencyKey Of(Guid requestId, IMessage request) => new(requestId, SHA256.HashData(Canonical(requestId, request).ToByteArray()));

    private static IMessage Canonical(Guid requestId, IMessage request)
    {
        var field = request.Descriptor.FindFieldByName(RequestIdField);
        var canonical = requestId.ToString("D");
        if (field is not { FieldType: Google.Protobuf.Reflection.FieldType.String, IsRepeated: false }
            || (string)field.Accessor.GetValue(request) == canonical)
        {
            return request;
        }

        var copy = request.Descriptor.Parser.ParseFrom(request.ToByteArray());
        field.Accessor.SetValue(copy, canonical);
        return copy;
    }
}

/// <summary>
/// The one idempotent-write path (QUALITY.md: "the same key twice returns the first result and changes
/// nothing"). A write carries the caller's <c>request_id</c>; the SHA-256 of the request's protobuf bytes
/// is stored with what it wrote. Then:
/// <list type="bullet">
/// <item>the id seen before with the same hash: the first result again (<see cref="Replay"/>), nothing written;</item>
/// <item>the id seen before with another request: ALREADY_EXISTS (<see cref="Conflict"/> says why);</item>
/// <item>a concurrent call with the same id committed between our look-up and our write: our save fails (the
/// unique index on the request id, or the record's version), or a rule or uniqueness check refuses what
/// the winner already did; the winner is then read again and replayed (or refused).</item>
/// </list>
/// <typeparamref name="TPrior"/> is whatever the earlier write left that names the request (a row with
/// <c>RequestId</c> and <c>RequestHash</c> columns).
/// </summary>
public sealed class IdempotentWrite<TPrior, TResponse>
    where TPrior : class
{
    private readonly DbContext _db;

    public IdempotentWrite(DbContext db, Guid requestId, IMessage request)
        : this(db, IdempotencyKey.Of(requestId, request))
    {
    }

    public IdempotentWrite(DbContext db, IdempotencyKey key)
    {
        _db = db;
        RequestId = key.RequestId;
        RequestHash = key.RequestHash;
    }

    public Guid RequestId { get; }

    /// <summary>SHA-256 of the request's bytes (32 bytes); the write stores it beside the request id.</summary>
    public byte[] RequestHash { get; }

    /// <summary>Reads what an earlier request with this id wrote (untracked), or null.</summary>
    public required Func<Guid, CancellationToken, Task<TPrior?>> FindPrior { get; init; }

    /// <summary>The hash stored with the earlier write.</summary>
    public required Func<TPrior, byte[]?> PriorHash { get; init; }

    /// <summary>The response the earlier write gave, rebuilt from the store (with <c>replayed = true</c>).</summary>
    public required Func<TPrior, CancellationToken, Task<TResponse>> Replay { get; init; }

    /// <summary>The ErrorInfo reason of the ALREADY_EXISTS answered when the id was used for a different request.</summary>
    public const string RequestIdReused = "REQUEST_ID_REUSED";

    /// <summary>The message of the ALREADY_EXISTS answered when the id was used for a different request.</summary>
    public required Func<TPrior, string> Conflict { get; init; }

    /// <summary>
    /// Whether the earlier write is looked for only when this one fails (true) instead of before it (false, the default).
    /// Only for a write whose first write inserts the row that holds <see cref="RequestId"/> under its unique index
    /// (a registration's case; reads and sequence values may come before it): a repeated id then fails there, before anything else is written, and the failure is
    /// answered as a lost race is, from the earlier write (its result again, or ALREADY_EXISTS). A first request saves a
    /// round trip and a statement; a retry costs a failed insert and a rolled-back transaction. Not for a write that
    /// changes an existing record first: run again, it could succeed a second time or be refused for the change it made
    /// itself (a stale revision) rather than replayed.
    /// </summary>
    public bool LookUpOnlyAfterFailure { get; init; }

    /// <summary>
    /// Replays an earlier request with this id, or runs <paramref name="write"/> (which must store
    /// <see cref="RequestId"/> under a unique index, and <see cref="RequestHash"/>) and returns its result.
    /// A failed save that was not a lost race is rethrown as it was.
    /// </summary>
    public async Task<TResponse> ExecuteAsync(Func<CancellationToken, Task<TResponse>> write, CancellationToken ct)
    {
        _db.ChangeTracker.Clear();
        if (!LookUpOnlyAfterFailure && await FindPrior(RequestId, ct) is { } prior)
        {
            return await ReplayOrRefuseAsync(prior, ct);
        }

        try
        {
            return await write(ct);
        }
        catch (Exception ex) when (MayBeLostRace(ex))
        {
            // A concurrent call with the same request_id may have committed after our look-up (or an earlier one before
            // this write, when it looks up only after a failure): its row makes
            // our insert fail, or its change makes our save fail on the record's version, or a rule or a
            // uniqueness check now refuses what that call already did. If it did, its answer is ours.
            _db.ChangeTracker.Clear();
            if (await FindPrior(RequestId, CancellationToken.None) is { } winner)
            {
                return await ReplayOrRefuseAsync(winner, CancellationToken.None);
            }

            throw;
        }
    }

    private static bool MayBeLostRace(Exception ex) => ex switch
    {
        DbUpdateException => true,
        // A write inserted without the change tracker (InsertBatch) meets the unique index as the statement's own error.
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } => true,
        RuleViolationException => true,
        RpcException { StatusCode: StatusCode.AlreadyExists or StatusCode.FailedPrecondition } => true,
        _ => false,
    };

    private Task<TResponse> ReplayOrRefuseAsync(TPrior prior, CancellationToken ct)
    {
        var hash = PriorHash(prior);
        if (hash is null || !CryptographicOperations.FixedTimeEquals(hash, RequestHash))
        {
            throw RpcErrors.AlreadyExists(RequestIdReused, Conflict(prior), new Dictionary<string, string> { ["request_id"] = RequestId.ToString() });
        }

        return Replay(prior, ct);
    }
}
