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

        // A body that is not the method's JSON: INVALID_ARGUMENT from the transcoder, before any handler (a handler's
        // validation would name the missing fields instead), never a server error.
        foreach (var notTheMessage in new[] { "not json", """{"identity": 5}""", """{"statusCategory": "NO_SUCH_CATEGORY"}""" })
        {
            using var response = await SendAsync(HttpMethod.Post, "/v1/cases:register", intakeOfficer, notTheMessage);
            var error = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{notTheMessage}: {(int)response.StatusCode} {error}");
            using var status = JsonDocument.Parse(error);
            Assert.Equal(3, status.RootElement.GetProperty("code").GetInt32());
            Assert.DoesNotContain("invalid fields", status.RootElement.GetProperty("message").GetString());
        }

        using var search = await SendAsync(HttpMethod.Get, $"/v1/cases:search?name={familyName}&capturingAgency=UA-SSO&pageSize=10", intakeOfficer);
        var found = await search.Content.ReadAsStringAsync();
        Assert.True(search.StatusCode == HttpStatusCode.OK, found);
        using var cases = JsonDocument.Parse(found);
        Assert.Empty(cases.RootElement.GetProperty("cases").EnumerateArray());
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
        }

        Assert.True(missing.Count == 0, string.Join("\n", missing));
        Assert.Equal(methods.Count, paths.EnumerateObject().Sum(p => p.Value.EnumerateObject().Count(o => o.Name is "get" or "post" or "put" or "patch" or "delete")));
        Assert.True(document.RootElement.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("bearer", out _));
    }

    private static string ToJsonName(string protoName) =>
        string.Concat(protoName.Split('_').Select((part, i) => i == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));

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
