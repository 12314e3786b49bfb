using System.Security.Cryptography;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.Intake.Tests;

/// <summary>
/// Calls straight at the intake service's port, as a caller that bypasses the gateway would: every bad
/// credential answers UNAUTHENTICATED with the reason and stores nothing; a token without the role answers
/// PERMISSION_DENIED; health and reflection stay open.
/// </summary>
public sealed class AuthenticationTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    private IntakeService.IntakeServiceClient WithToken(string token) =>
        new(intake.Service.RawChannel.Intercept(metadata => { metadata.Add("authorization", token); return metadata; }));

    public static TheoryData<string, string> BadCredentials => new()
    {
        { "none", "No access token" },
        { "not-bearer", "is not 'Bearer <token>'" },
        { "malformed", "malformed" },
        { "expired", "expired" },
        { "wrong-audience", "not for this audience" },
        { "wrong-issuer", "issued by another authority" },
        { "foreign-key", "signed by a key the authority does not publish" },
        { "tampered", "signature does not verify" },
    };

    [Theory]
    [MemberData(nameof(BadCredentials))]
    public async Task A_bad_credential_is_refused_with_its_reason_and_nothing_is_stored(string kind, string reason)
    {
        var authority = await TestAuthority.GetAsync();
        var header = kind switch
        {
            "none" => null,
            "not-bearer" => "Basic dXNlcjpwYXNz",
            "malformed" => "Bearer not.a.jwt",
            "expired" => "Bearer " + await authority.MintAsync(expires: DateTimeOffset.UtcNow.AddMinutes(-5)),
            "wrong-audience" => "Bearer " + await authority.MintAsync(audience: "another-api"),
            "wrong-issuer" => "Bearer " + await authority.MintAsync(issuer: "http://127.0.0.1:1/"),
            "foreign-key" => "Bearer " + await authority.MintAsync(key: new Microsoft.IdentityModel.Tokens.RsaSecurityKey(RSA.Create(2048)) { KeyId = "not-the-authority's" }),
            "tampered" => "Bearer " + Tamper(await authority.TokenAsync(TestCallers.DefaultAgency, [RegistryRoles.IntakeOfficer])),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var client = header is null ? new IntakeService.IntakeServiceClient(intake.Service.RawChannel) : WithToken(header);
        var before = await intake.CountStoredAsync();

        var refused = await Assert.ThrowsAsync<RpcException>(() => client.RegisterCaptureAsync(Requests.Rifleman()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Contains(reason, refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("INVALID_TOKEN", refused.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Equal(before, await intake.CountStoredAsync());
    }

    [Fact]
    public async Task A_valid_token_without_the_role_is_permission_denied()
    {
        var medic = new IntakeService.IntakeServiceClient(intake.Service.As(TestCallers.DefaultAgency, RegistryRoles.Medic));
        var before = await intake.CountStoredAsync();

        var refused = await Assert.ThrowsAsync<RpcException>(() => medic.RegisterCaptureAsync(Requests.Rifleman()).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal("ROLE_NOT_ALLOWED", refused.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Contains("[medic]", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, await intake.CountStoredAsync());
    }

    [Fact]
    public async Task An_intake_officer_registers_only_in_its_own_agencys_name()
    {
        var officer = new IntakeService.IntakeServiceClient(intake.Service.As("UA-SSO", RegistryRoles.IntakeOfficer));
        var foreign = Requests.Rifleman();
        foreign.Capture.CapturingAgency = "UA-AF";
        var before = await intake.CountStoredAsync();

        var refused = await Assert.ThrowsAsync<RpcException>(() => officer.RegisterCaptureAsync(foreign).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        var info = refused.GetRpcStatus()!.GetDetail<ErrorInfo>();
        Assert.Equal("AGENCY_MISMATCH", info.Reason);
        Assert.Equal("capture.capturing_agency", info.Metadata["field"]);
        Assert.Contains("capture.capturing_agency", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, await intake.CountStoredAsync());

        var own = Requests.Rifleman();
        own.Capture.CapturingAgency = "UA-SSO";
        Assert.Equal("UA-SSO", (await officer.RegisterCaptureAsync(own)).Case.Capture.CapturingAgency);
    }

    [Fact]
    public async Task An_intake_officer_reads_only_its_own_agencys_cases()
    {
        var sso = new IntakeService.IntakeServiceClient(intake.Service.As("UA-SSO", RegistryRoles.IntakeOfficer));
        var af = new IntakeService.IntakeServiceClient(intake.Service.As("UA-AF", RegistryRoles.IntakeOfficer));
        var request = Requests.Rifleman();
        request.Capture.CapturingAgency = "UA-SSO";
        var registered = (await sso.RegisterCaptureAsync(request)).Case;

        Assert.Equal(registered.CaseId, (await sso.GetCaseAsync(new GetCaseRequest { CaseId = registered.CaseId })).Case.CaseId);
        var refused = await Assert.ThrowsAsync<RpcException>(() => af.GetCaseAsync(new GetCaseRequest { CaseId = registered.CaseId }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal("NOT_OWN_AGENCY", refused.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
    }

    [Fact]
    public async Task A_disabled_clients_token_is_refused_within_the_refresh_of_the_disabled_list()
    {
        var authority = await TestAuthority.GetAsync();
        var clientId = $"test-disabled-{Guid.NewGuid():N}";
        var credentials = await authority.RegisterAsync(clientId, "UA-POW-HQ", [RegistryRoles.Coordinator]);
        var token = await new ClientCredentialsTokens(new HttpClient(), TimeProvider.System).GetAsync(credentials);
        var client = WithToken("Bearer " + token);
        await client.ListOverdueAsync(new ListOverdueRequest { PageSize = 1 });

        await authority.WithClientsAsync(registry => registry.DisableAsync(clientId));

        // The fixture's services fetch the list every second (TestAuthority.ServiceSettings).
        var refused = await Eventually.GetAsync(async () =>
        {
            try
            {
                await client.ListOverdueAsync(new ListOverdueRequest { PageSize = 1 });
                return null;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated)
            {
                return ex;
            }
        }, TimeSpan.FromSeconds(15), "the disabled client's token to be refused");
        Assert.Contains($"Client '{clientId}' is disabled", refused.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>
    /// The ICRC's feed stays open for hours: what it delivers must stop when the access it was opened with ends (the
    /// client disabled, the token expired), not only new calls. Each reads one notification, loses its access, and then
    /// gets the stream ended UNAUTHENTICATED instead of the notification registered afterwards; or, with nothing more
    /// to send (<paramref name="idle"/>), ended all the same, not left open until a next notification.
    /// </summary>
    [Theory]
    [InlineData("disabled", false)]
    [InlineData("expired", false)]
    [InlineData("disabled", true)]
    [InlineData("expired", true)]
    public async Task An_open_notification_stream_ends_when_its_callers_access_ends(string how, bool idle)
    {
        var authority = await TestAuthority.GetAsync();
        var clientId = $"test-icrc-{how}-{Guid.NewGuid():N}";
        string token;
        if (how == "disabled")
        {
            var credentials = await authority.RegisterAsync(clientId, "ICRC", [RegistryRoles.IcrcDelegate]);
            token = await new ClientCredentialsTokens(new HttpClient(), TimeProvider.System).GetAsync(credentials);
        }
        else
        {
            token = await authority.MintAsync(expires: DateTimeOffset.UtcNow.AddSeconds(4), roles: [RegistryRoles.IcrcDelegate]);
        }

        var registered = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case.CaseId;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // Idle: the stream starts after the feed's last notification (found with the test's own token), so it has nothing to send.
        var cursor = idle ? await CursorOfAsync(registered, timeout.Token) : "";
        using var stream = WithToken("Bearer " + token).StreamNotifications(new StreamNotificationsRequest { Cursor = cursor }, cancellationToken: timeout.Token);
        if (!idle)
        {
            Assert.True(await stream.ResponseStream.MoveNext(timeout.Token), "the feed delivers while the access holds");
        }

        if (how == "disabled")
        {
            await authority.WithClientsAsync(registry => registry.DisableAsync(clientId));
            await Task.Delay(TimeSpan.FromSeconds(3)); // the fixture's services read the list every second
        }
        else
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
        }

        // Idle: nothing registered meanwhile (other tests' registrations may still arrive: they must not be delivered either).
        var after = idle ? null : (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case.CaseId;
        var delivered = new List<string>();
        var ended = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await stream.ResponseStream.MoveNext(timeout.Token))
            {
                delivered.Add(stream.ResponseStream.Current.Notification.CaseId);
            }
        });

        Assert.Equal(StatusCode.Unauthenticated, ended.StatusCode);
        Assert.Contains(how == "disabled" ? $"Client '{clientId}' is disabled" : "expired at", ended.Status.Detail, StringComparison.Ordinal);
        if (after is not null)
        {
            Assert.DoesNotContain(after, delivered);
        }
        else
        {
            Assert.Empty(delivered);
        }
    }

    /// <summary>The feed's cursor of <paramref name="caseId"/>'s registration, read with the test's own token.</summary>
    private async Task<string> CursorOfAsync(string caseId, CancellationToken ct)
    {
        using var feed = intake.Client.StreamNotifications(new StreamNotificationsRequest(), cancellationToken: ct);
        while (await feed.ResponseStream.MoveNext(ct))
        {
            if (feed.ResponseStream.Current.Notification.CaseId == caseId)
            {
                return feed.ResponseStream.Current.Notification.Cursor;
            }
        }

        throw new InvalidOperationException($"The feed ended before case {caseId}'s notification.");
    }

    /// <summary>
    /// The service remembers a token it validated (<see cref="ValidatedTokenCache"/>, Auth:ValidatedTokens) and answers each
    /// call carrying it as the first; the checks after authentication stay per call (a tampered copy and a disabled client:
    /// the tests above).
    /// </summary>
    [Fact]
    public async Task A_token_validated_once_is_remembered_and_each_call_with_it_is_answered_as_the_first()
    {
        var jwt = intake.Service.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
        var cache = Assert.IsType<ValidatedTokenCache>(Assert.Single(jwt.TokenHandlers));
        var token = await (await TestAuthority.GetAsync()).MintAsync(roles: [RegistryRoles.Coordinator]);
        var client = WithToken("Bearer " + token);
        var hits = cache.Hits;

        var first = await client.ListOverdueAsync(new ListOverdueRequest { PageSize = 1 });
        var again = await client.ListOverdueAsync(new ListOverdueRequest { PageSize = 1 });

        Assert.True(cache.Hits > hits, "the second call's token answered from memory");
        Assert.Equal(first.Items.Count, again.Items.Count);
        var medic = WithToken("Bearer " + await (await TestAuthority.GetAsync()).MintAsync(roles: [RegistryRoles.Medic]));
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => medic.ListOverdueAsync(new ListOverdueRequest { PageSize = 1 }).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => medic.ListOverdueAsync(new ListOverdueRequest { PageSize = 1 }).ResponseAsync)).StatusCode);
    }

    [Fact]
    public async Task Health_and_reflection_need_no_token()
    {
        var health = await new Health.HealthClient(intake.Service.RawChannel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        var reflection = new global::Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(intake.Service.RawChannel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new global::Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Contains(call.ResponseStream.Current.ListServicesResponse.Service, s => s.Name == "registry.intake.v1.IntakeService");
    }

    /// <summary>Changes one character of the signature: the header and claims still parse, the signature no longer verifies.</summary>
    private static string Tamper(string token)
    {
        var last = token[^2] == 'A' ? 'B' : 'A';
        return token[..^2] + last + token[^1];
    }
}
