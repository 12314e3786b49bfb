using Registry.Embedded.Credentials;
using Registry.Identity;

namespace Registry.Embedded;

/// <summary>Tells the newcomer where everything is, once the ports are open: the services, the development
/// clients' secrets and the commands that get a token and read a case file with it.</summary>
public sealed class StartupBanner(EmbeddedOptions options, DevelopmentClientsFile clients, IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => Console.WriteLine(Text(options, clients)));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The banner (also what the tests run the token command from).</summary>
    public static string Text(EmbeddedOptions options, DevelopmentClientsFile clients)
    {
        var gateway = $"127.0.0.1:{options.GatewayPort}";
        var dashboard = options.Dashboard ? options.DashboardAddress.ToString() : "(off: --Embedded:Dashboard=false)";
        var secrets = DevelopmentClients.PathIn(options.DataPath);
        var authority = options.Authority.ToString();
        var coordinator = clients.Clients.First(c => c.ClientId == "ua-pow-hq-coordinator");
        var intake = clients.Clients.First(c => c.Agency == "UA-SSO" && c.Roles.Contains("intake-officer"));
        var list = string.Join("\n", clients.Clients.Select(c => $"                {c.ClientId,-24} {c.Agency,-13} {string.Join(",", c.Roles)}"));
        return $$$"""

            Registry (embedded) is running. Ctrl+C stops it.
              gateway (gRPC, h2c)  {{{gateway}}}          intake :{{{options.IntakePort}}}  custody :{{{options.CustodyPort}}}  medical :{{{options.MedicalPort}}}
              authorization server {{{authority}}}  (OpenID Connect discovery: {{{authority}}}.well-known/openid-configuration)
              HTTP/JSON            http://127.0.0.1:{{{options.HttpPort}}}/v1/...  (OpenAPI: http://127.0.0.1:{{{options.HttpPort}}}/openapi/v1.json)
              health               http://127.0.0.1:{{{options.HttpPort}}}/readyz
              trace dashboard      {{{dashboard}}}
              data                 {{{Path.GetFullPath(options.DataPath)}}}

            Every call needs a token. DEVELOPMENT clients (secrets in {{{secrets}}}, mode 600, development only):
            {{{list}}}

            Get a token (client-credentials grant; any client above, its secret from the file):
              dotnet run --project tools/Registry.Ctl -- token --authority {{{authority}}} --client {{{coordinator.ClientId}}} --secret {{{coordinator.Secret}}}
              curl -s {{{authority.TrimEnd('/')}}}{{{IdentityModule.TokenPath}}} -d grant_type=client_credentials -d client_id={{{coordinator.ClientId}}} -d client_secret={{{coordinator.Secret}}} -d scope=registry
            then call the gateway with it (buf: tools/node_modules/.bin/buf after `cd tools && npm ci`; grpcurl takes the same -d JSON and -H with -plaintext):
              TOKEN=$(dotnet run --project tools/Registry.Ctl -- token --authority {{{authority}}} --client {{{coordinator.ClientId}}} --secret {{{coordinator.Secret}}})
              buf curl --protocol grpc --http2-prior-knowledge -H "authorization: Bearer $TOKEN" -d '{"name":"광순","page_size":10}' http://{{{gateway}}}/registry.intake.v1.IntakeService/SearchCases
              buf curl --protocol grpc --http2-prior-knowledge -H "authorization: Bearer $TOKEN" -d '{"case_id":"<case_id>"}' http://{{{gateway}}}/registry.gateway.v1.CaseFileService/GetCaseFile
              grpcurl -plaintext -H "authorization: Bearer $TOKEN" -d '{"case_id":"<case_id>"}' {{{gateway}}} registry.gateway.v1.CaseFileService/GetCaseFile
            or over HTTP/JSON (the routes: the OpenAPI document above):
              curl -s "http://127.0.0.1:{{{options.HttpPort}}}/v1/cases:search?name=%EA%B4%91%EC%88%9C&pageSize=10" -H "authorization: Bearer $TOKEN"
              curl -s http://127.0.0.1:{{{options.HttpPort}}}/v1/cases/<case_id>/file -H "authorization: Bearer $TOKEN"
            A registration needs the intake officer's token (capture.capturing_agency must be its agency, UA-SSO):
              INTAKE_TOKEN=$(dotnet run --project tools/Registry.Ctl -- token --authority {{{authority}}} --client {{{intake.ClientId}}} --secret {{{intake.Secret}}})
              buf curl --protocol grpc --http2-prior-knowledge -H "authorization: Bearer $INTAKE_TOKEN" -d '{"request_id":"{{{Guid.NewGuid()}}}","identity":{"family_name":"리","given_names":"정혁","date_of_birth":{"year":2005},"nationality":"KP"},"capture":{"captured_at":"2025-01-11T06:30:00Z","place":"Kursk region","capturing_unit":"Special Operations Forces","capturing_agency":"UA-SSO"}}' http://{{{gateway}}}/registry.intake.v1.IntakeService/RegisterCapture

            """;
    }
}
