using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Api;
using Google.Protobuf;
using Registry.Protos.Custody.V1;
using Registry.Protos.Gateway.V1;
using Registry.Protos.Intake.V1;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// HTTP/JSON at the gateway (issue 16), with nothing but <see cref="HttpClient"/> and JSON text, as an agency
/// system that does not speak gRPC would call it: the routes of the protos' <c>google.api.http</c> annotations,
/// the same tokens, access table and audit as gRPC, errors as <c>google.rpc.Status</c> JSON with readable
/// details, and an OpenAPI document that lists every RPC reachable through the gateway.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class HttpJsonTests(RegistryFixture registry)
{
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(60);

    /// <summary>Every service whose RPCs agencies reach through the gateway (registry.audit.v1 is the services' own, internal).</summary>
    private static readonly ServiceDescriptor[] Reachable =
    [
        IntakeService.Descriptor, CustodyService.Descriptor, MedicalService.Descriptor, CaseFileService.Descriptor, AuditService.Descriptor,
    ];

    private HttpClient Http { get; } = new() { BaseAddress = new Uri($"http://127.0.0.1:{registry.Gateway.HttpPort}"), Timeout = TimeSpan.FromSeconds(60) };

    [Fact]
    public async Task A_capture_registered_over_HTTP_JSON_is_read_back_as_its_case_file()
    {
        var intakeOfficer = await TokenAsync("UA-SSO", RegistryRoles.IntakeOfficer);
        var capture = SeedStory.Rifleman();
        using var registered = await SendAsync(HttpMethod.Post, "/v1/cases:register", intakeOfficer, JsonFormatter.Default.Format(capture));
        var body = await registered.Content.ReadAsStringAsync();
        Assert.True(registered.StatusCode == HttpStatusCode.OK, body);
        Assert.StartsWith("application/json", registered.Content.Headers.ContentType?.ToString());
        using var created = JsonDocument.Parse(body);
        var caseId = created.RootElement.GetProperty("case").GetProperty("caseId").GetString()!;
        Assert.Equal("리", created.RootElement.GetProperty("case").GetProperty("identity").GetProperty("familyName").GetString());

        // The same request_id again: the first result, replayed (idempotency is the service's, JSON or not).
        using var again = await SendAsync(HttpMethod.Post, "/v1/cases:register", intakeOfficer, JsonFormatter.Default.Format(capture));
        using var replayed = JsonDocument.Parse(await again.Content.ReadAsStringAsync());
        Assert.True(replayed.RootElement.GetProperty("replayed").GetBoolean());
        Assert.Equal(caseId, replayed.RootElement.GetProperty("case").GetProperty("caseId").GetString());

        var coordinator = await TokenAsync("UA-POW-HQ", RegistryRoles.Coordinator);
        var file = await Eventually.GetAsync(async () =>
        {
            using var response = await SendAsync(HttpMethod.Get, $"/v1/cases/{caseId}/file", coordinator);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            var document = JsonDocument.Parse(text);
            var caseFile = document.RootElement.GetProperty("caseFile");
            return caseFile.TryGetProperty("custody", out var custody) && custody.TryGetProperty("record", out _)
                && caseFile.TryGetProperty("medical", out var medical) && medical.TryGetProperty("summary", out _)
                ? document
                : null;
        }, Propagation, "the case file with its custody and medical parts, over HTTP/JSON");
        using (file)
        {
            var caseFile = file.RootElement.GetProperty("caseFile");
            Assert.Equal(caseId, caseFile.GetProperty("caseId").GetString());
            Assert.Equal("정혁", caseFile.GetProperty("identity").GetProperty("case").GetProperty("identity").GetProperty("givenNames").GetString());
            Assert.Equal("CUSTODY_STATE_AWAITING_ADMISSION", caseFile.GetProperty("custody").GetProperty("record").GetProperty("state").GetString());
        }

        // Routes with a custom verb after a path parameter, and after a literal segment (google.api.http's "verb").
        using (var card = await SendAsync(HttpMethod.Post, $"/v1/cases/{caseId}:issueCaptureCard", coordinator, "{}"))
        {
            var text = await card.Content.ReadAsStringAsync();
            Assert.True(card.StatusCode == HttpStatusCode.OK, text);
            using var issued = JsonDocument.Parse(text);
            Assert.False(string.IsNullOrEmpty(issued.RootElement.GetProperty("captureCard").GetProperty("captureCardId").GetString()));
        }

        using (var chain = await SendAsync(HttpMethod.Get, $"/v1/cases/{caseId}/custody:verifyChain", coordinator))
        {
            var text = await chain.Content.ReadAsStringAsync();
            Assert.True(chain.StatusCode == HttpStatusCode.OK, text);
            using var verified = JsonDocument.Parse(text);
            Assert.True(verified.RootElement.GetProperty("intact").GetBoolean());
        }
    }

    [Fact]
    public async Task An_agency_list_is_imported_over_HTTP_JSON_with_a_result_for_each_row()
    {
        var intakeOfficer = await TokenAsync("UA-SSO", RegistryRoles.IntakeOfficer);
        var good = SeedStory.Sniper();
        var bad = SeedStory.Rifleman();
        bad.Capture = null;
        var rows = $$"""{"rows":[{{JsonFormatter.Default.Format(good)}},{{JsonFormatter.Default.Format(bad)}}]}""";
        using var imported = await SendAsync(HttpMethod.Post, "/v1/cases:import", intakeOfficer, rows);
        var text = await imported.Content.ReadAsStringAsync();
        Assert.True(imported.StatusCode == HttpStatusCode.OK, text);
        using var results = JsonDocument.Parse(text);
        var outcomes = results.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("outcome").GetString()).ToList();
        Assert.Equal(["IMPORT_ROW_OUTCOME_CREATED", "IMPORT_ROW_OUTCOME_REFUSED"], outcomes);
    }

    [Fact]
    public async Task Bad_input_is_a_google_rpc_Status_naming_the_fields_in_plain_words_and_nothing_is_stored()
    {
        var intakeOfficer = await TokenAsync("UA-SSO", RegistryRoles.IntakeOfficer);
        var familyName = "Httpjson" + Guid.NewGuid().ToString("N")[..10];
        var capture = SeedStory.Rifleman();
        capture.RequestId = "";
        capture.Identity.FamilyName = familyName;
        capture.Capture = null;

        using var refused = await SendAsync(HttpMethod.Post, "/v1/cases:register", intakeOfficer, JsonFormatter.Default.Format(capture));
        var text = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        using (var status = JsonDocument.Parse(text))
        {
            Assert.Equal(3, status.RootElement.GetProperty("code").GetInt32());
            var badRequest = Assert.Single(status.RootElement.GetProperty("details").EnumerateArray(),
                d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.BadRequest");
            var fields = badRequest.GetProperty("fieldViolations").EnumerateArray().ToDictionary(v => v.GetProperty("field").GetString()!, v => v.GetProperty("description").GetString()!);
            Assert.Equal("is required", fields["request_id"]);
            Assert.Equal("is required", fields["capture"]);
        }

        Assert.DoesNotContain("-bin", text);

        // A body that is not the method's JSON: INVALID_ARGUMENT from the gateway, before any handler, never a server error.
        foreach (var (notTheMessage, expected) in new[]
        {
            ("not json", "The request body is not JSON (RFC 8259)"),
            ("""{"identity": 5}""", "identity: must be a JSON object (Identity), not the number 5"),
            ("""{"statusCategory": "NO_SUCH_CATEGORY"}""", "status_category: must be one of "),
            ("""{"identity": {"dateOfBirth": {"year": "2005"}}}""", "identity.date_of_birth.year: must be a JSON number, not the string '2005'"),
            ("""{"capture": {"capturedAt": "2025-01-11t06:30:00z"}}""", "capture.captured_at: must be an RFC 3339 timestamp"),
            ("""[]""", "The request body must be a JSON object (RegisterCaptureRequest), not an array."),
        })
        {
            using var response = await SendAsync(HttpMethod.Post, "/v1/cases:register", intakeOfficer, notTheMessage);
            var error = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{notTheMessage}: {(int)response.StatusCode} {error}");
            Assert.Equal(3, Code(error));
            Assert.Contains(expected, Violations(error));
        }

        using var search = await SendAsync(HttpMethod.Get, $"/v1/cases:search?name={familyName}&capturingAgency=UA-SSO&pageSize=10", intakeOfficer);
        var found = await search.Content.ReadAsStringAsync();
        Assert.True(search.StatusCode == HttpStatusCode.OK, found);
        using var cases = JsonDocument.Parse(found);
        Assert.Empty(cases.RootElement.GetProperty("cases").EnumerateArray());
    }

    [Fact]
    public async Task A_misspelt_field_or_query_parameter_is_refused_by_name_never_silently_dropped()
    {
        var intakeOfficer = await TokenAsync("UA-SSO", RegistryRoles.IntakeOfficer);
        var familyName = "Misspelt" + Guid.NewGuid().ToString("N")[..10];
        var capture = SeedStory.Rifleman();
        capture.Identity.FamilyName = familyName;
        using var body = JsonDocument.Parse(JsonFormatter.Default.Format(capture));
        var misspelt = JsonSerializer.Serialize(body.RootElement).Replace("\"capturingUnit\"", "\"capturingUint\"", StringComparison.Ordinal)
            .Replace("\"requestId\"", "\"requestID\"", StringComparison.Ordinal)
            .Replace("{\"requestID\"", "{\"nickname\":\"x\",\"requestID\"", StringComparison.Ordinal);
        Assert.Contains("capturingUint", misspelt);

        using var refused = await SendAsync(HttpMethod.Post, "/v1/cases:register", intakeOfficer, misspelt);
        var text = await refused.Content.ReadAsStringAsync();
        Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, text);
        var fields = Fields(text);
        Assert.Equal("is not a field of CaptureEvent; did you mean 'capturingUnit'?", fields["capture.capturingUint"]);
        Assert.Equal("is not a field of RegisterCaptureRequest; did you mean 'requestId'?", fields["requestID"]);
        Assert.Equal("is not a field of RegisterCaptureRequest", fields["nickname"]);

        // A field given twice, by one name or by both: which value would count cannot be known (here the idempotency key).
        var twice = JsonSerializer.Serialize(body.RootElement).Replace("{\"requestId\"", "{\"request_id\":\"" + Guid.NewGuid() + "\",\"requestId\"", StringComparison.Ordinal);
        using (var refusedTwice = await SendAsync(HttpMethod.Post, "/v1/cases:register", intakeOfficer, twice))
        {
            var error = await refusedTwice.Content.ReadAsStringAsync();
            Assert.True(refusedTwice.StatusCode == HttpStatusCode.BadRequest, error);
            Assert.Equal("is given twice (as 'request_id' and 'requestId'); give it once", Fields(error)["request_id"]);
        }

        // A field the path sets, given again in the body with another value.
        var custodian = await TokenAsync("UA-SBU", RegistryRoles.Custodian);
        using (var conflict = await SendAsync(HttpMethod.Post, $"/v1/cases/{Guid.NewGuid()}/custody:admit", custodian, $$"""{"caseId": "{{Guid.NewGuid()}}"}"""))
        {
            var error = await conflict.Content.ReadAsStringAsync();
            Assert.True(conflict.StatusCode == HttpStatusCode.BadRequest, error);
            Assert.EndsWith("in the body; give it once", Fields(error)["case_id"], StringComparison.Ordinal);
        }

        // ... or in the path and the query.
        var pathCase = Guid.NewGuid();
        using (var conflict = await SendAsync(HttpMethod.Get, $"/v1/cases/{pathCase}?caseId={Guid.NewGuid()}", intakeOfficer))
        {
            var error = await conflict.Content.ReadAsStringAsync();
            Assert.True(conflict.StatusCode == HttpStatusCode.BadRequest, error);
            Assert.Equal($"is set by the path ('{pathCase}'); the query parameter 'caseId' cannot set it again", Fields(error)["case_id"]);
        }

        // A role the access table refuses is refused as such (403, audited where it is decided), whatever its body holds.
        var medic = await TokenAsync("UA-SBU", RegistryRoles.Medic);
        using (var forbidden = await SendAsync(HttpMethod.Post, "/v1/cases:register", medic, misspelt))
        {
            var error = await forbidden.Content.ReadAsStringAsync();
            Assert.True(forbidden.StatusCode == HttpStatusCode.Forbidden, error);
            Assert.Equal(7, Code(error));
        }

        // The proto names are the JSON mapping's too (proto3 JSON: parsers accept both).
        var protoNames = JsonSerializer.Serialize(body.RootElement).Replace("\"capturingUnit\"", "\"capturing_unit\"", StringComparison.Ordinal);
        using (var accepted = await SendAsync(HttpMethod.Post, "/v1/cases:register", intakeOfficer, protoNames))
        {
            var created = await accepted.Content.ReadAsStringAsync();
            Assert.True(accepted.StatusCode == HttpStatusCode.OK, created);
            using var json = JsonDocument.Parse(created);
            Assert.Equal(capture.Capture.CapturingUnit, json.RootElement.GetProperty("case").GetProperty("capture").GetProperty("capturingUnit").GetString());
        }

        // Query parameters: a misspelt one is refused, not ignored (a page of 1,000 instead of 1), and so is a value of the wrong type.
        foreach (var (query, field, description) in new[]
        {
            ("pagesize=1", "pagesize", "is not a query parameter of SearchCasesRequest; did you mean 'pageSize'?"),
            ("pageSize=ten", "page_size", "must be a whole number from -2147483648 to 2147483647, not 'ten'"),
            ("capturedFrom=2025-01-12", "captured_from", "must be an RFC 3339 timestamp with an offset, e.g. 2025-01-12T08:00:00Z, not '2025-01-12'"),
            ("name.first=Kim", "name", "is not a message: query parameter 'name.first' cannot name a field inside it"),
        })
        {
            using var response = await SendAsync(HttpMethod.Get, $"/v1/cases:search?name={familyName}&capturingAgency=UA-SSO&{query}", intakeOfficer);
            var error = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query}: {error}");
            Assert.Equal(description, Fields(error)[field]);
        }

        using var search = await SendAsync(HttpMethod.Get, $"/v1/cases:search?name={familyName}&capturing_agency=UA-SSO&page_size=10", intakeOfficer);
        var found = await search.Content.ReadAsStringAsync();
        Assert.True(search.StatusCode == HttpStatusCode.OK, found);
        using var cases = JsonDocument.Parse(found);
        Assert.Single(cases.RootElement.GetProperty("cases").EnumerateArray());
    }

    [Fact]
    public async Task A_body_too_large_is_413_and_a_caller_without_a_token_is_refused_before_its_body_is_read()
    {
        var intakeOfficer = await TokenAsync("UA-SSO", RegistryRoles.IntakeOfficer);
        const int tooLarge = 5 * 1024 * 1024;

        // With a Content-Length: answered from it, before the body is read. The client sends the headers and a first kilobyte
        // of the 5 MiB it announced, then waits for the answer: a gateway that read the body would never answer.
        foreach (var token in new[] { intakeOfficer, null })
        {
            var (status, headers, text) = await SendStalledAsync("/v1/cases:register", token, tooLarge);
            if (token is null)
            {
                Assert.True(status == 401, text);
                Assert.Equal(16, Code(text));
                Assert.Equal("Bearer realm=\"registry\"", headers["www-authenticate"]);
            }
            else
            {
                Assert.True(status == 413, text);
                Assert.Equal(8, Code(text));
                Assert.Contains("takes at most 4,194,304 bytes", text);
                Assert.False(headers.ContainsKey("retry-after"));
            }
        }

        // Without one (chunked): read up to the bound, then refused.
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/cases:register")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(new string(' ', tooLarge) + "{}"))),
        };
        chunked.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        chunked.Headers.TransferEncodingChunked = true;
        chunked.Headers.Authorization = new AuthenticationHeaderValue("Bearer", intakeOfficer);
        using var refused = await Http.SendAsync(chunked);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal(8, Code(await refused.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task A_route_that_does_not_exist_is_a_google_rpc_Status_naming_where_the_routes_are_listed()
    {
        var intakeOfficer = await TokenAsync("UA-SSO", RegistryRoles.IntakeOfficer);
        using var response = await SendAsync(HttpMethod.Get, "/v1/prisoners", intakeOfficer);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(5, Code(text));
        Assert.Contains("/openapi/v1.json", text);
    }

    [Fact]
    public async Task The_access_table_and_the_audit_hold_for_HTTP_JSON_as_for_gRPC()
    {
        var intakeOfficer = await TokenAsync("UA-SSO", RegistryRoles.IntakeOfficer);
        using var registered = await SendAsync(HttpMethod.Post, "/v1/cases:register", intakeOfficer, JsonFormatter.Default.Format(SeedStory.Sniper()));
        var registeredText = await registered.Content.ReadAsStringAsync();
        Assert.True(registered.StatusCode == HttpStatusCode.OK, registeredText);
        using var created = JsonDocument.Parse(registeredText);
        var caseId = created.RootElement.GetProperty("case").GetProperty("caseId").GetString()!;

        // No token: UNAUTHENTICATED, as 401.
        using (var anonymous = await SendAsync(HttpMethod.Get, $"/v1/cases/{caseId}", token: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal(16, Code(await anonymous.Content.ReadAsStringAsync()));
        }

        // A role the table does not allow the method: PERMISSION_DENIED at the gateway, as 403.
        using (var clinical = await SendAsync(HttpMethod.Get, $"/v1/cases/{caseId}/medical", intakeOfficer))
        {
            Assert.Equal(HttpStatusCode.Forbidden, clinical.StatusCode);
            Assert.Equal(7, Code(await clinical.Content.ReadAsStringAsync()));
        }

        // A role allowed only on cases shared with it: the scope is the owning service's check, and it holds over JSON.
        var partner = await TokenAsync("KR-NIS", RegistryRoles.Partner);
        using (var unshared = await SendAsync(HttpMethod.Get, $"/v1/cases/{caseId}", partner))
        {
            var text = await unshared.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.Forbidden, unshared.StatusCode);
            Assert.Contains("NOT_SHARED", text);
        }

        // Each of those, and the registration, is in the audit an auditor reads (over JSON too).
        var auditor = await TokenAsync("UA-OMBUDSMAN", RegistryRoles.Auditor);
        var events = new List<(string Method, string Outcome, string Agency, string DecidedBy)>();
        await Eventually.TrueAsync(async () =>
        {
            using var response = await SendAsync(HttpMethod.Get, $"/v1/accessEvents?caseId={caseId}&pageSize=100", auditor);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            using var page = JsonDocument.Parse(text);
            events = page.RootElement.GetProperty("events").EnumerateArray()
                .Select(e => (Method: e.GetProperty("method").GetString()!, Outcome: e.GetProperty("outcome").GetString()!,
                    Agency: e.GetProperty("agency").GetString()!, DecidedBy: e.GetProperty("decidedBy").GetString()!))
                .ToList();
            return events.Contains(("registry.intake.v1.IntakeService/RegisterCapture", "OK", "UA-SSO", ""))
                && events.Contains(("registry.medical.v1.MedicalService/GetMedicalRecord", "PERMISSION_DENIED", "UA-SSO", "gateway"))
                && events.Contains(("registry.intake.v1.IntakeService/GetCase", "PERMISSION_DENIED", "KR-NIS", ""));
        }, Propagation, "the registration and both refusals in the access audit");

        // Each exactly once: the call without a token and the role refusal decided at the gateway (reported to the owning
        // service), the scope refusal by intake, the registration by intake.
        Assert.Single(events, e => e.Method == "registry.intake.v1.IntakeService/RegisterCapture");
        Assert.Single(events, e => e.Method == "registry.medical.v1.MedicalService/GetMedicalRecord");
        Assert.Single(events, e => (e.Method, e.Outcome, e.DecidedBy) == ("registry.intake.v1.IntakeService/GetCase", "UNAUTHENTICATED", "gateway"));
        Assert.Single(events, e => (e.Method, e.Outcome, e.DecidedBy) == ("registry.intake.v1.IntakeService/GetCase", "PERMISSION_DENIED", ""));
        Assert.Equal(4, events.Count);
    }

    [Fact]
    public async Task The_ICRC_feed_streams_over_HTTP_as_one_JSON_object_a_line()
    {
        var intakeOfficer = await TokenAsync("UA-SSO", RegistryRoles.IntakeOfficer);
        using (var registered = await SendAsync(HttpMethod.Post, "/v1/cases:register", intakeOfficer, JsonFormatter.Default.Format(SeedStory.Rifleman())))
        {
            Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        }

        var delegate_ = await TokenAsync("ICRC", RegistryRoles.IcrcDelegate);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/notifications:stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", delegate_);
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
        var line = await reader.ReadLineAsync(cancel.Token);
        Assert.False(string.IsNullOrWhiteSpace(line));
        using var first = JsonDocument.Parse(line!);
        var notification = first.RootElement.GetProperty("notification");
        Assert.False(string.IsNullOrEmpty(notification.GetProperty("cursor").GetString()));
        Assert.False(string.IsNullOrEmpty(notification.GetProperty("caseId").GetString()));
    }

    [Fact]
    public async Task An_HTTP_reader_at_the_feeds_end_gets_its_status_line_while_nothing_comes_and_a_bad_cursor_is_400()
    {
        // The feed's end: the cursor of a registration made now, read from the gRPC feed.
        var intake = new IntakeService.IntakeServiceClient(registry.GatewayChannel);
        var caseId = (await intake.RegisterCaptureAsync(SeedStory.Rifleman(), deadline: RegistryFixture.CallDeadline)).Case.CaseId;
        var end = "";
        using (var reading = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        using (var feed = intake.StreamNotifications(new StreamNotificationsRequest(), cancellationToken: reading.Token))
        {
            while (end.Length == 0 && await feed.ResponseStream.MoveNext(reading.Token))
            {
                if (feed.ResponseStream.Current.Notification.CaseId == caseId)
                {
                    end = feed.ResponseStream.Current.Notification.Cursor;
                }
            }
        }

        var delegate_ = await TokenAsync("ICRC", RegistryRoles.IcrcDelegate);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/notifications:stream?cursor={end}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", delegate_);
        var sending = Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        // Nothing is registered by this test meanwhile: without the status line sent at once, it would come with the next notification.
        Assert.Same(sending, await Task.WhenAny(sending, Task.Delay(TimeSpan.FromSeconds(5))));
        using (var response = await sending)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await cancel.CancelAsync();
        using var beyond = new HttpRequestMessage(HttpMethod.Get, $"/v1/notifications:stream?cursor={long.Parse(end, System.Globalization.CultureInfo.InvariantCulture) + 1_000_000}");
        beyond.Headers.Authorization = new AuthenticationHeaderValue("Bearer", delegate_);
        using var refused = await Http.SendAsync(beyond, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_every_RPC_reachable_through_the_gateway_at_its_route()
    {
        using var response = await Http.GetAsync("/openapi/v1.json");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var document = JsonDocument.Parse(text);
        var paths = document.RootElement.GetProperty("paths");

        var missing = new List<string>();
        var methods = Reachable.SelectMany(s => s.Methods).ToList();
        foreach (var method in methods)
        {
            var rule = method.GetOptions()?.GetExtension(AnnotationsExtensions.Http);
            if (rule is null)
            {
                missing.Add($"{method.FullName}: no google.api.http route in its .proto");
                continue;
            }

            var (verb, template) = rule.PatternCase switch
            {
                HttpRule.PatternOneofCase.Get => ("get", rule.Get),
                HttpRule.PatternOneofCase.Post => ("post", rule.Post),
                HttpRule.PatternOneofCase.Put => ("put", rule.Put),
                HttpRule.PatternOneofCase.Patch => ("patch", rule.Patch),
                HttpRule.PatternOneofCase.Delete => ("delete", rule.Delete),
                _ => ("custom", ""),
            };
            // The document names path parameters by their JSON names: {case_id} is {caseId}.
            var path = System.Text.RegularExpressions.Regex.Replace(template, @"\{(\w+)\}", m => "{" + ToJsonName(m.Groups[1].Value) + "}");
            if (!paths.TryGetProperty(path, out var item) || !item.TryGetProperty(verb, out var operation))
            {
                missing.Add($"{method.FullName}: {verb.ToUpperInvariant()} {path} is not in the document");
            }
            else if (!operation.TryGetProperty("summary", out var summary) || string.IsNullOrWhiteSpace(summary.GetString()))
            {
                missing.Add($"{method.FullName}: {verb.ToUpperInvariant()} {path} has no summary (the .proto comment)");
            }
            else if (operation.GetProperty("operationId").GetString() != $"{method.Service.Name}_{method.Name}")
            {
                missing.Add($"{method.FullName}: {verb.ToUpperInvariant()} {path} has operationId {operation.GetProperty("operationId")}, not {method.Service.Name}_{method.Name}");
            }
        }

        Assert.True(missing.Count == 0, string.Join("\n", missing));
        Assert.Equal(methods.Count, paths.EnumerateObject().Sum(p => p.Value.EnumerateObject().Count(o => o.Name is "get" or "post" or "put" or "patch" or "delete")));
        Assert.True(document.RootElement.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("bearer", out _));
    }

    private static string ToJsonName(string protoName) =>
        string.Concat(protoName.Split('_').Select((part, i) => i == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));

    /// <summary>The field violations of a google.rpc.Status JSON body, by field.</summary>
    private static Dictionary<string, string> Fields(string status)
    {
        using var json = JsonDocument.Parse(status);
        return !json.RootElement.TryGetProperty("details", out var details) ? [] : details.EnumerateArray()
            .Where(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.BadRequest")
            .SelectMany(d => d.GetProperty("fieldViolations").EnumerateArray())
            .ToDictionary(v => v.GetProperty("field").GetString()!, v => v.GetProperty("description").GetString()!);
    }

    /// <summary>The message and the field violations of a google.rpc.Status JSON body, one a line ("field: description").</summary>
    private static string Violations(string status)
    {
        using var json = JsonDocument.Parse(status);
        return string.Join('\n', [json.RootElement.GetProperty("message").GetString()!, .. Fields(status).Select(f => $"{f.Key}: {f.Value}")]);
    }

    /// <summary>
    /// Sends, over a plain TCP connection, an HTTP/1.1 POST that announces <paramref name="length"/> bytes of JSON and sends
    /// only its first kilobyte, then reads the answer (20 s at most): status, headers (lower-case names) and body.
    /// </summary>
    private async Task<(int Status, Dictionary<string, string> Headers, string Body)> SendStalledAsync(string path, string? token, int length)
    {
        using var client = new System.Net.Sockets.TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await client.ConnectAsync(Http.BaseAddress!.Host, Http.BaseAddress.Port, timeout.Token);
        var stream = client.GetStream();
        var head = $"POST {path} HTTP/1.1\r\nHost: {Http.BaseAddress.Authority}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n"
            + (token is null ? "" : $"Authorization: Bearer {token}\r\n") + "\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head + "{" + new string(' ', 1023)), timeout.Token);

        var received = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        string text;
        while (true)
        {
            read = await stream.ReadAsync(buffer, timeout.Token);
            received.Write(buffer, 0, read);
            text = Encoding.UTF8.GetString(received.ToArray());
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (read == 0 || (end >= 0 && Complete(Headers(text[..end]), text[(end + 4)..])))
            {
                break;
            }
        }

        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = Headers(text[..split]);
        var body = text[(split + 4)..];
        if (headers.GetValueOrDefault("transfer-encoding") == "chunked")
        {
            // Chunks: "<hex size>\r\n<data>\r\n" ... "0\r\n\r\n" (RFC 9112 §7.1); the bodies here are ASCII JSON.
            var decoded = new StringBuilder();
            for (var at = 0; ;)
            {
                var line = body.IndexOf("\r\n", at, StringComparison.Ordinal);
                var size = Convert.ToInt32(body[at..line], 16);
                if (size == 0)
                {
                    break;
                }

                decoded.Append(body, line + 2, size);
                at = line + 2 + size + 2;
            }

            body = decoded.ToString();
        }

        return (int.Parse(text[..split].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), headers, body);
    }

    private static Dictionary<string, string> Headers(string head) =>
        head.Split("\r\n").Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());

    private static bool Complete(Dictionary<string, string> headers, string body) =>
        headers.TryGetValue("content-length", out var length) ? Encoding.UTF8.GetByteCount(body) >= int.Parse(length, System.Globalization.CultureInfo.InvariantCulture)
            : body.EndsWith("0\r\n\r\n", StringComparison.Ordinal);

    private static int Code(string status)
    {
        using var document = JsonDocument.Parse(status);
        return document.RootElement.GetProperty("code").GetInt32();
    }

    private static async Task<string> TokenAsync(string agency, string role) => await (await TestAuthority.GetAsync()).TokenAsync(agency, [role]);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await Http.SendAsync(request);
    }
}
