using System.Diagnostics;
using System.Text;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Registry.Load;
using Registry.Protos.Gateway.V1;

if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(LoadOptions.Usage);
    return 0;
}

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException or UriFormatException)
{
    Console.Error.WriteLine($"registry-load: {ex.Message}\n\n{LoadOptions.Usage}");
    return 2;
}

var report = new StringBuilder();
void Line(string text)
{
    Console.WriteLine(text);
    report.AppendLine(text);
}

Callers callers;
using var tokenHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
try
{
    callers = Callers.From(options.CredentialsFile!, options.Authority, tokenHttp);
}
catch (Exception ex) when (ex is IOException or ArgumentException or System.Text.Json.JsonException or InvalidDataException or UriFormatException)
{
    Console.Error.WriteLine($"registry-load: the credentials in {options.CredentialsFile} cannot be used: {ex.Message}");
    return 2;
}

Captures.RegisterFor(callers.Agencies);
Captures.Names = options.Names;

// One HTTP/2 connection per client, as separate agency systems would have. Tokens go as call credentials,
// also over plaintext h2c (the development default; the gateway may serve TLS).
// Several gateway replicas: each channel balances across them (gRPC client-side load balancing, as a load
// balancer in front of the gateways would), so a replica that dies costs only the calls it had open.
var channels = Enumerable.Range(0, options.Clients)
    .Select(_ => options.Gateways.Count == 1
        ? GrpcChannel.ForAddress(options.Gateway, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
            UnsafeUseInsecureChannelCallCredentials = true,
        })
        : GatewayReplicas.Channel(options.Gateways))
    .ToArray();
var health = channels.Select(c => new Health.HealthClient(c)).ToArray();
try
{
    await health[0].CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
}
catch (RpcException ex)
{
    Console.Error.WriteLine($"registry-load: the gateway at {options.Gateway} does not answer the health check ({ex.StatusCode}: {ex.Status.Detail}).");
    return 2;
}

Line($"registry-load: callers {string.Join(", ", callers.RegistrarClients.Select(r => $"{r.Value} ({r.Key})"))} register, {callers.ReaderClient} reads");
Line($"registry-load: {options.Clients} clients against {string.Join(",", options.Gateways)}; machine: {Environment.ProcessorCount} cores, " +
     $"{GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024)} MB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");

// A short warm-up so that JIT and connection set-up are not in the figures.
var warmupLedger = new Ledger();
var warmup = options.Warmup ?? TimeSpan.FromSeconds(Math.Min(3, Math.Max(1, options.Duration.TotalSeconds / 10)));
if (warmup > TimeSpan.Zero)
{
    await Registrations.RunAsync("warm-up", options, channels, callers, warmupLedger, warmup);
}

PhaseStats? floor = null;
if (options.FloorDuration > TimeSpan.Zero)
{
    floor = await ClosedLoop.RunAsync("floor (health)", options.Clients, options.FloorDuration, async (i, stats, recorder, _) =>
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await health[i].CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow + options.CallDeadline);
            stats.Record(recorder, started, StatusCode.OK);
        }
        catch (RpcException ex)
        {
            stats.Record(recorder, started, ex.StatusCode);
        }
    });
}

var ledger = new Ledger();
PhaseStats? register = null;
if (options.Duration > TimeSpan.Zero)
{
    register = await Registrations.RunAsync("register", options, channels, callers, ledger, options.Duration, options.Rate);
}

// The bulk path: the same persons as ImportCaptures batches, reconciled on their own (below), then compared with COPY.
// With an import, the preload comes first: the import is measured into a registry of that size (a million cases).
Preload? preload = null;
if (options.Preload > 0 && options.Import > 0)
{
    preload = await PreloadAsync();
}

var importLedger = new Ledger();
var importCounts = new Imports.Counts();
PhaseStats? import = null;
if (options.Import > 0)
{
    import = await Imports.RunAsync("import", options, channels, callers, importLedger, importCounts, options.Import, TimeSpan.FromSeconds(2));
}

// Reconcile before the read phase so that propagation lag is not measured under read load.
Reconciler.Outcome? outcome = null;
if (options.Reconcile && register is not null)
{
    // The warm-up's registrations are checked too: every registration this run sent must be whole.
    var everything = new Ledger();
    foreach (var source in new[] { warmupLedger, ledger })
    {
        foreach (var (id, accepted) in source.Accepted)
        {
            everything.Accepted[id] = accepted;
        }

        foreach (var (id, status) in source.GaveUp)
        {
            everything.GaveUp[id] = status;
        }
    }

    var reconciler = new Reconciler(options);
    var intakeCases = await reconciler.CasesByRequestAsync(everything.Accepted.Keys.Concat(everything.GaveUp.Keys));
    await reconciler.DrainAsync(intakeCases.Values.SelectMany(c => c).Union(everything.Accepted.Values.Select(a => a.CaseId)).ToArray());
    outcome = await reconciler.CheckAsync(everything);
}

// The import's rows: custody and medical may trail an import by a backlog; waited for as long as they make progress.
Reconciler.Outcome? importOutcome = null;
var refusedButStored = 0;
(bool? CaughtUp, TimeSpan Took) importCatchUp = (null, TimeSpan.Zero);
if (options.Reconcile && import is not null)
{
    var reconciler = new Reconciler(options);
    var clock = Stopwatch.StartNew();
    importCatchUp = (await reconciler.CatchUpAsync(importLedger.Accepted.Values.Select(a => a.CaseId).Distinct().ToArray(), TimeSpan.FromSeconds(1)), clock.Elapsed);
    importOutcome = await reconciler.CheckAsync(importLedger);
    refusedButStored = (await reconciler.CasesByRequestAsync(importCounts.RefusedIds)).Count;
}

// PostgreSQL's own rate for the same rows (after the consumers are done, so that they do not share the CPU with it).
CopyComparison.Result? copy = null;
if (import is not null && options.Copy && options.IntakeDatabase is not null && !new ServiceDatabase(options.IntakeDatabase).IsSqlite)
{
    var created = importLedger.Accepted.Values.Where(a => !a.Replayed).Select(a => a.CaseId).ToArray();
    copy = await new CopyComparison(options.IntakeDatabase).RunAsync(created, options.CopyPrefill, Console.WriteLine);
}

PhaseStats? reads = null;
var readable = ledger.Accepted.Values.Select(a => a.CaseId.ToString()).Concat(warmupLedger.Accepted.Values.Select(a => a.CaseId.ToString())).ToArray();
var partial = 0;
if (options.ReadDuration > TimeSpan.Zero && readable.Length > 0)
{
    var caseFiles = channels.Select(c => new CaseFileService.CaseFileServiceClient(c)).ToArray();
    reads = await ClosedLoop.RunAsync("case file", options.Clients, options.ReadDuration, async (i, stats, recorder, _) =>
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var file = (await caseFiles[i].GetCaseFileAsync(new GetCaseFileRequest { CaseId = readable[Random.Shared.Next(readable.Length)] },
                new CallOptions(deadline: DateTime.UtcNow + options.CallDeadline, credentials: callers.Reader))).CaseFile;
            stats.Record(recorder, started, StatusCode.OK);
            if (file.Identity.ResultCase != IdentityPart.ResultOneofCase.Case || file.Custody.ResultCase != CustodyPart.ResultOneofCase.Record
                || file.Medical.ResultCase != MedicalPart.ResultOneofCase.Summary)
            {
                Interlocked.Increment(ref partial);
            }
        }
        catch (RpcException ex)
        {
            stats.Record(recorder, started, ex.StatusCode);
        }
    });
}

// Search over a registry of the size asked for: topped up through the gateway first (--preload).
if (options.Preload > 0 && preload is null)
{
    preload = await PreloadAsync();
}

PhaseStats? search = null;
var searchKinds = new Search.Kinds();
var registrySize = -1L;
if (options.SearchDuration > TimeSpan.Zero)
{
    registrySize = await CountCasesAsync();
    search = await Search.RunAsync(options, channels, callers, searchKinds);
}

Reconciler.Outcome? preloadOutcome = null;
if (options.Reconcile && preload is { Registered: > 0 })
{
    preloadOutcome = await new Reconciler(options).CheckAsync(preload.Ledger);
}

Line("");
Line("== results ==");
if (floor is not null)
{
    Line(floor.Summary());
}

if (register is not null)
{
    Line(register.Summary());
    Line($"{"",-14} registrations answered OK {ledger.Accepted.Count} (after a retry: {ledger.Accepted.Values.Count(a => a.Attempts > 1)}, " +
         $"replayed by the registry: {ledger.Replayed}), given up {ledger.GaveUp.Count}, retries sent {ledger.Retried}");
    if (floor is not null && floor.Throughput > 0)
    {
        Line($"{"",-14} registrations/s as a fraction of the floor: {register.Throughput / floor.Throughput:0.000} " +
             $"({register.Throughput:0.0} / {floor.Throughput:0.0})");
    }
}

if (import is not null)
{
    Line($"{import.Summary()}   (rows/s; latency per call of up to {options.ImportBatch} rows, {Math.Min(options.ImportParallel, options.Clients)} calls in flight)");
    Line($"{"",-14} rows sent {importCounts.Rows}: created {importCounts.Created}, replayed {importCounts.Replayed}, refused {importCounts.Refused}" +
         (importCounts.RefusedByField.IsEmpty ? "" : $" ({string.Join(", ", importCounts.RefusedByField.OrderByDescending(f => f.Value).Select(f => $"{f.Key} {f.Value}"))})") +
         $", in failed calls {importLedger.GaveUp.Count - importCounts.Refused}; batches retried {importLedger.Retried}" +
         $"; {importCounts.Created / import.Elapsed.TotalSeconds:0.0} cases created/s");
    if (importCatchUp.CaughtUp is { } caughtUp)
    {
        Line($"{"",-14} custody and medical {(caughtUp ? "held every imported case" : "had not caught up")} {importCatchUp.Took.TotalSeconds:0.0} s after the last batch");
    }
}

if (copy is not null && import is not null)
{
    var importRate = importCounts.Created / import.Elapsed.TotalSeconds;
    Line($"COPY: {copy.Cases} rows of cases in {copy.Elapsed.TotalSeconds:0.000} s = {copy.CasesPerSecond:0} cases/s; import = {importRate / copy.CasesPerSecond:0.000} of COPY " +
         $"({importRate:0.0} / {copy.CasesPerSecond:0.0} cases/s; {copy.Rows} rows in {copy.Tables.Count} tables" +
         (copy.PrefilledRows > 0 ? $", into tables prefilled with the registry's other {copy.PrefilledRows} rows in {copy.Prefill.TotalMinutes:0.0} min" : ", into empty tables") + ")");
    foreach (var t in copy.Tables.Where(t => t.Rows > 0))
    {
        Line($"{"",-14} COPY {t.Name,-22} {t.Rows,9} rows {t.Bytes / 1048576.0,8:0.0} MB {t.CopyFrom.TotalSeconds,8:0.000} s");
    }

    Line($"{"",-14} no rows of the imported cases in: {string.Join(", ", copy.Tables.Where(t => t.Rows == 0).Select(t => t.Name))}; " +
         $"left out (no CaseId or OrderingKey column): {string.Join(", ", copy.LeftOut)}");
}

if (outcome is not null)
{
    var lag = outcome.PropagationLagMs;
    Line($"{"propagation",-14} OK → custody and medical both applied, ms: p50 {PhaseStats.Percentile(lag, 50):0.0}  p90 {PhaseStats.Percentile(lag, 90):0.0}  " +
         $"p99 {PhaseStats.Percentile(lag, 99):0.0}  max {(lag.Length > 0 ? lag[^1] : double.NaN):0.0}  (n = {lag.Length})");
}

if (reads is not null)
{
    Line(reads.Summary());
    Line($"{"",-14} case files with a part unavailable: {partial}");
}

if (preload is not null)
{
    if (preload.Stats is { } stats)
    {
        Line(stats.Summary());
    }

    Line($"{"",-14} the registry held {preload.Before} cases; {preload.Registered} registered through the gateway{(options.PreloadBulk ? " (ImportCaptures)" : "")}" +
         (preload.Stats is { } s ? $" in {s.Elapsed.TotalMinutes:0.0} min, given up {preload.Ledger.GaveUp.Count}" : " (none needed)") +
         (preload.CaughtUp is { } c ? $"; custody and medical {(c ? "caught up" : "had not caught up")} after another {preload.CatchUp.TotalMinutes:0.0} min" : ""));
}

if (search is not null)
{
    Line($"{search.Summary()}   (over {(registrySize >= 0 ? $"{registrySize} cases" : "a registry of unknown size")}; first page of 20)");
    foreach (var kind in searchKinds.Lines())
    {
        Line(kind);
    }
}
else
{
    Line($"{"search",-14} skipped (--search-duration 0)");
}

var exitCode = 0;
if (outcome is not null)
{
    Line("");
    Line($"== reconciliation: {outcome.Accepted} registrations answered OK (warm-up included), {outcome.AcceptedWithoutOk} more stored by intake although the client saw no OK ==");
    exitCode = Verdict(outcome);
}

if (importOutcome is not null)
{
    Line("");
    Line($"== reconciliation of the import: {importOutcome.Accepted} rows answered created or replayed, {importOutcome.AcceptedWithoutOk} more stored by intake although the client saw no result ==");
    var lag = importOutcome.PropagationLagMs;
    Line($"  propagation of the import, registered_at → custody and medical both applied, ms: p50 {PhaseStats.Percentile(lag, 50):0.0}  p99 {PhaseStats.Percentile(lag, 99):0.0}  " +
         $"max {(lag.Length > 0 ? lag[^1] : double.NaN):0.0}");
    Line($"  refused rows that intake stored all the same: {refusedButStored}");
    exitCode = Math.Max(exitCode, Verdict(importOutcome));
    if (refusedButStored > 0)
    {
        Line($"FAILED: {refusedButStored} refused rows stored");
        exitCode = 1;
    }

    // An import in which no row was answered at all checks nothing: the bulk path is broken (every call failed).
    if (importOutcome.Accepted == 0 && options.Import > 0)
    {
        Line($"FAILED: none of the {options.Import} imported rows was answered created or replayed");
        exitCode = 1;
    }
}

if (preloadOutcome is not null)
{
    Line("");
    Line($"== reconciliation of the preload: {preloadOutcome.Accepted} registrations answered OK, {preloadOutcome.AcceptedWithoutOk} more stored by intake although the client saw no OK ==");
    exitCode = Math.Max(exitCode, Verdict(preloadOutcome));
}

if (options.ResultFile is not null)
{
    await File.WriteAllTextAsync(options.ResultFile, report.ToString());
}

return exitCode;

int Verdict(Reconciler.Outcome o)
{
    Line($"  intake:  missing {o.MissingInIntake}, answered with another case {o.WrongCase}, request_id with more than one case {o.DuplicateCases}");
    Line($"  outbox:  cases without a CaseRegistered event {o.EventsMissing}, extra events {o.EventsDuplicated}");
    Line($"  custody: missing {o.MissingInCustody}, applied twice {o.DuplicatedInCustody}");
    Line($"  medical: missing {o.MissingInMedical}, applied twice {o.DuplicatedInMedical}");
    Line(o.Lost == 0 && o.Duplicated == 0 ? "ZERO LOSS: nothing lost, nothing applied twice" : $"FAILED: {o.Lost} lost, {o.Duplicated} duplicated");
    return o.Lost == 0 && o.Duplicated == 0 ? 0 : 1;
}

async Task<long> CountCasesAsync()
{
    if (options.IntakeDatabase is null)
    {
        return -1;
    }

    var intake = new ServiceDatabase(options.IntakeDatabase);
    await using var connection = await intake.OpenAsync();
    await using var count = connection.CreateCommand();
    count.CommandText = "SELECT count(*) FROM cases";
    return Convert.ToInt64(await count.ExecuteScalarAsync());
}

// Tops the registry up to the preload size with RegisterCapture through the gateway, as agencies would
// have filled it: the same requests, retries and ledger as the registration phase. Then waits for
// custody and medical to catch up, so that search is not measured while they work through a backlog.
async Task<Preload> PreloadAsync()
{
    var before = await CountCasesAsync();
    var missing = options.Preload - before;
    Console.WriteLine($"  preload: the registry holds {before} cases; {(missing > 0 ? $"registering {missing} more through the gateway" : $"at least {options.Preload}, nothing to do")}");
    var ledger = new Ledger();
    if (missing <= 0)
    {
        return new Preload(before, ledger, null, null, TimeSpan.Zero);
    }

    if (options.PreloadBulk)
    {
        var bulkClock = Stopwatch.StartNew();
        var counts = new Imports.Counts();
        var bulk = await Imports.RunAsync("preload", options, channels, callers, ledger, counts, missing, TimeSpan.FromSeconds(10), answered =>
        {
            var rate = answered / Math.Max(1, bulkClock.Elapsed.TotalSeconds);
            return $"; registry about {before + answered} of {options.Preload} cases, about {TimeSpan.FromSeconds(rate > 0 ? (missing - answered) / rate : 0):h\\:mm\\:ss} to go";
        });
        Console.WriteLine($"  preload: {counts.Created} created, {counts.Replayed} replayed, {counts.Refused} refused through ImportCaptures");
        return await CaughtUpAsync(bulk);
    }

    var left = missing;
    using var done = new CancellationTokenSource();
    var stats = await ClosedLoop.RunAsync("preload", options.Clients, TimeSpan.FromDays(1), async (i, stats, recorder, _) =>
    {
        if (Interlocked.Decrement(ref left) < 0)
        {
            await done.CancelAsync();
            return;
        }

        await Registrations.RegisterAsync(new Registry.Protos.Intake.V1.IntakeService.IntakeServiceClient(channels[i]), callers,
            Captures.Next(Random.Shared), options, ledger, stats, recorder);
    }, _ => ledger.Accepted.Count, done.Token,
    progress: (_, rate) =>
    {
        var registered = ledger.Accepted.Count;
        var eta = rate > 0 ? TimeSpan.FromSeconds((missing - registered) / rate) : TimeSpan.Zero;
        return $"; registry {before + registered} of {options.Preload} cases ({100.0 * (before + registered) / options.Preload:0.0}%), about {eta:h\\:mm\\:ss} to go";
    }, every: TimeSpan.FromSeconds(10));

    return await CaughtUpAsync(stats);

    async Task<Preload> CaughtUpAsync(PhaseStats stats)
    {
        bool? caughtUp = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (options.CustodyDatabase is not null && options.MedicalDatabase is not null)
        {
            caughtUp = await new Reconciler(options).CatchUpAsync(ledger.Accepted.Values.Select(a => a.CaseId).ToArray());
        }

        return new Preload(before, ledger, stats, caughtUp, clock.Elapsed);
    }
}

/// <summary>What the preload did: the registry's size before, every registration it sent, and whether custody and medical caught up.</summary>
sealed record Preload(long Before, Ledger Ledger, PhaseStats? Stats, bool? CaughtUp, TimeSpan CatchUp)
{
    public int Registered => Ledger.Accepted.Count;
}
