using System.Data.Common;
using System.Diagnostics;

namespace Registry.Load;

/// <summary>
/// The zero-loss check. For every request_id the load generator sent, it reads the three services'
/// own databases and asks: does intake hold exactly one case for it, the case the OK named? Did
/// exactly one CaseRegistered event leave intake's outbox for that case? Did custody and medical
/// each record that event in their inbox once and open exactly one record for the case? Some of
/// these are also guaranteed by keys (one inbox row per message and consumer, one record per case);
/// the check counts them anyway, so that a change of schema cannot make a duplicate invisible.
/// The databases are PostgreSQL (the server modes) or the embedded host's SQLite files
/// (<see cref="ServiceDatabase"/> tells them apart by their connection string).
/// </summary>
public sealed class Reconciler(LoadOptions options)
{
    public sealed record Outcome(
        int Accepted, int AcceptedWithoutOk, int MissingInIntake, int WrongCase, int DuplicateCases,
        int EventsMissing, int EventsDuplicated, int MissingInCustody, int MissingInMedical,
        int DuplicatedInCustody, int DuplicatedInMedical, double[] PropagationLagMs)
    {
        public int Lost => MissingInIntake + WrongCase + EventsMissing + MissingInCustody + MissingInMedical;
        public int Duplicated => DuplicateCases + EventsDuplicated + DuplicatedInCustody + DuplicatedInMedical;
    }

    /// <summary>Waits until custody and medical hold a record for every case intake accepted, or the drain timeout passes.</summary>
    public async Task DrainAsync(IReadOnlyCollection<Guid> caseIds)
    {
        var clock = Stopwatch.StartNew();
        var ids = caseIds.ToArray();
        while (true)
        {
            var (custody, medical) = await AppliedCountsAsync(ids);
            Console.WriteLine($"  [drain {clock.Elapsed.TotalSeconds,5:0}s] custody {custody}/{ids.Length}, medical {medical}/{ids.Length}");
            if ((custody >= ids.Length && medical >= ids.Length) || clock.Elapsed > options.DrainTimeout)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(custody + medical == 0 ? 2 : 1));
        }
    }

    /// <summary>
    /// After a preload: waits while custody and medical catch up, however long that takes, as long as they
    /// make progress; gives up when neither applied anything for the drain timeout. True when both caught up.
    /// </summary>
    /// <param name="every">How often to look (10 s: a preload's catch-up takes minutes).</param>
    public async Task<bool> CatchUpAsync(IReadOnlyCollection<Guid> caseIds, TimeSpan? every = null)
    {
        var clock = Stopwatch.StartNew();
        var ids = caseIds.ToArray();
        var (lastCount, lastProgress) = (-1L, clock.Elapsed);
        while (true)
        {
            var (custody, medical) = await AppliedCountsAsync(ids);
            if (custody >= ids.Length && medical >= ids.Length)
            {
                Console.WriteLine($"  [catch-up {clock.Elapsed.TotalSeconds,5:0}s] custody and medical hold all {ids.Length} cases");
                return true;
            }

            if (custody + medical > lastCount)
            {
                (lastCount, lastProgress) = (custody + medical, clock.Elapsed);
            }
            else if (clock.Elapsed - lastProgress > options.DrainTimeout)
            {
                Console.WriteLine($"  [catch-up {clock.Elapsed.TotalSeconds,5:0}s] no progress for {options.DrainTimeout.TotalSeconds:0} s; going on all the same");
                return false;
            }

            Console.WriteLine($"  [catch-up {clock.Elapsed.TotalSeconds,5:0}s] custody {custody}/{ids.Length}, medical {medical}/{ids.Length}");
            await Task.Delay(every ?? TimeSpan.FromSeconds(10));
        }
    }

    private async Task<(long Custody, long Medical)> AppliedCountsAsync(Guid[] ids) => (
        await CountAsync(new ServiceDatabase(options.CustodyDatabase!), "custody_records", ids),
        await CountAsync(new ServiceDatabase(options.MedicalDatabase!), "medical_records", ids));

    /// <summary>The case ids intake holds for the given request ids (accepted ones, and failed ones it stored anyway).</summary>
    public async Task<Dictionary<Guid, List<Guid>>> CasesByRequestAsync(IEnumerable<Guid> requestIds)
    {
        var result = new Dictionary<Guid, List<Guid>>();
        var intake = new ServiceDatabase(options.IntakeDatabase!);
        await using var connection = await intake.OpenAsync();
        foreach (var chunk in requestIds.Chunk(20_000))
        {
            await using var command = intake.Command(connection, $"SELECT \"RequestId\", \"CaseId\" FROM cases WHERE {intake.In("\"RequestId\"")}", chunk);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var requestId = intake.GetGuid(reader, 0);
                if (!result.TryGetValue(requestId, out var cases))
                {
                    result[requestId] = cases = [];
                }

                cases.Add(intake.GetGuid(reader, 1));
            }
        }

        return result;
    }

    public async Task<Outcome> CheckAsync(Ledger ledger)
    {
        var sent = ledger.Accepted.Keys.Concat(ledger.GaveUp.Keys).Distinct().ToArray();
        var intake = await CasesByRequestAsync(sent);

        int missingInIntake = 0, wrongCase = 0, duplicateCases = 0, acceptedWithoutOk = 0;
        var expected = new Dictionary<Guid, DateTimeOffset?>(); // case id -> OK time (null: stored although the client saw no OK)
        foreach (var requestId in sent)
        {
            intake.TryGetValue(requestId, out var cases);
            cases ??= [];
            if (cases.Count > 1)
            {
                duplicateCases += cases.Count - 1;
                Console.WriteLine($"  DUPLICATE: request_id {requestId} has {cases.Count} cases in intake");
            }

            if (ledger.Accepted.TryGetValue(requestId, out var ok))
            {
                if (cases.Count == 0)
                {
                    missingInIntake++;
                    Console.WriteLine($"  LOST: request_id {requestId} was answered OK (case {ok.CaseId}) but intake has no case for it");
                }
                else if (!cases.Contains(ok.CaseId))
                {
                    wrongCase++;
                    Console.WriteLine($"  LOST: request_id {requestId} was answered with case {ok.CaseId} but intake holds {cases[0]}");
                }

                expected[ok.CaseId] = ok.Replayed ? null : ok.OkAt;
            }
            else if (cases.Count > 0)
            {
                // The client gave up, but intake had committed it (the answer was lost): it must still propagate.
                acceptedWithoutOk++;
                expected[cases[0]] = null;
            }
        }

        var caseIds = expected.Keys.ToArray();
        var events = await EventsAsync(caseIds);
        var messageIds = events.Values.SelectMany(ids => ids).ToArray();
        var custody = await AppliedAsync(options.CustodyDatabase!, "custody_records", caseIds, messageIds);
        var medical = await AppliedAsync(options.MedicalDatabase!, "medical_records", caseIds, messageIds);

        int eventsMissing = 0, eventsDuplicated = 0, missingInCustody = 0, missingInMedical = 0, dupCustody = 0, dupMedical = 0;
        var lags = new List<double>(caseIds.Length);
        foreach (var caseId in caseIds)
        {
            events.TryGetValue(caseId, out var eventIds);
            eventIds ??= [];
            if (eventIds.Count == 0)
            {
                eventsMissing++;
                Console.WriteLine($"  LOST: case {caseId} has no CaseRegistered event in intake's outbox");
            }
            else if (eventIds.Count > 1)
            {
                eventsDuplicated += eventIds.Count - 1;
                Console.WriteLine($"  DUPLICATE: case {caseId} has {eventIds.Count} CaseRegistered events in intake's outbox");
            }

            var inCustody = Check("custody", caseId, eventIds, custody, ref missingInCustody, ref dupCustody);
            var inMedical = Check("medical", caseId, eventIds, medical, ref missingInMedical, ref dupMedical);
            if (expected[caseId] is { } okAt && inCustody is { } c && inMedical is { } m)
            {
                lags.Add(Math.Max(0, ((c > m ? c : m) - okAt).TotalMilliseconds));
            }
        }

        var lagArray = lags.ToArray();
        Array.Sort(lagArray);
        return new Outcome(ledger.Accepted.Count, acceptedWithoutOk, missingInIntake, wrongCase, duplicateCases,
            eventsMissing, eventsDuplicated, missingInCustody, missingInMedical, dupCustody, dupMedical, lagArray);
    }

    private static DateTimeOffset? Check(string service, Guid caseId, List<Guid> messageIds, Applied applied, ref int missing, ref int duplicated)
    {
        applied.Records.TryGetValue(caseId, out var records);
        var inboxEntries = messageIds.Sum(id => applied.Inbox.GetValueOrDefault(id));
        if (records is null || records.Count == 0 || (messageIds.Count > 0 && inboxEntries == 0))
        {
            missing++;
            Console.WriteLine($"  LOST: case {caseId} has {(records?.Count ?? 0)} {service} records and {inboxEntries} inbox entries for its event");
            return null;
        }

        if (records.Count > 1 || inboxEntries > 1)
        {
            duplicated++;
            Console.WriteLine($"  DUPLICATE: case {caseId} has {records.Count} {service} records and {inboxEntries} inbox entries for its event");
        }

        return records.Max();
    }

    /// <summary>CaseRegistered events in intake's outbox, by the case they announce.</summary>
    private async Task<Dictionary<Guid, List<Guid>>> EventsAsync(Guid[] caseIds)
    {
        var result = new Dictionary<Guid, List<Guid>>();
        var intake = new ServiceDatabase(options.IntakeDatabase!);
        await using var connection = await intake.OpenAsync();
        foreach (var chunk in caseIds.Chunk(20_000))
        {
            await using var command = intake.Command(connection,
                $"""
                SELECT {intake.PayloadCaseId}, "MessageId" FROM outbox_messages
                WHERE "MessageType" IN ('urn:message:Registry.Contracts:CaseRegistered', 'Registry.Contracts.CaseRegistered') AND {intake.In(intake.PayloadCaseId)}
                """, chunk);
            command.CommandTimeout = 300;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var caseId = intake.GetGuid(reader, 0);
                if (!result.TryGetValue(caseId, out var ids))
                {
                    result[caseId] = ids = [];
                }

                ids.Add(intake.GetGuid(reader, 1));
            }
        }

        return result;
    }

    private sealed record Applied(Dictionary<Guid, List<DateTimeOffset>> Records, Dictionary<Guid, int> Inbox);

    /// <summary>
    /// A consuming service's records for the cases (with when each was opened) and how often its
    /// CaseRegistered consumer recorded each message id in its inbox.
    /// </summary>
    private static async Task<Applied> AppliedAsync(string connectionString, string table, Guid[] caseIds, Guid[] messageIds)
    {
        var records = new Dictionary<Guid, List<DateTimeOffset>>();
        var inbox = new Dictionary<Guid, int>();
        var database = new ServiceDatabase(connectionString);
        await using var connection = await database.OpenAsync();
        foreach (var chunk in caseIds.Chunk(20_000))
        {
            await using var command = database.Command(connection, $"SELECT \"CaseId\", \"OpenedAt\" FROM {table} WHERE {database.In("\"CaseId\"")}", chunk);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var caseId = database.GetGuid(reader, 0);
                if (!records.TryGetValue(caseId, out var list))
                {
                    records[caseId] = list = [];
                }

                list.Add(database.GetInstant(reader, 1));
            }
        }

        foreach (var chunk in messageIds.Chunk(20_000))
        {
            await using var command = database.Command(connection,
                $"SELECT \"MessageId\", count(*) FROM inbox_messages WHERE \"Consumer\" = 'CaseRegisteredConsumer' AND {database.In("\"MessageId\"")} GROUP BY 1",
                chunk);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                inbox[database.GetGuid(reader, 0)] = Convert.ToInt32(reader.GetValue(1));
            }
        }

        return new Applied(records, inbox);
    }

    private static async Task<long> CountAsync(ServiceDatabase database, string table, Guid[] ids)
    {
        await using var connection = await database.OpenAsync();
        await using var command = database.Command(connection, $"SELECT count(*) FROM {table} WHERE {database.In("\"CaseId\"")}", ids);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
