namespace Registry.Embedded;

/// <summary>Tells the newcomer where everything is, once the ports are open.</summary>
public sealed class StartupBanner(EmbeddedOptions options, IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Print);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Print()
    {
        var gateway = $"127.0.0.1:{options.GatewayPort}";
        var dashboard = options.Dashboard ? options.DashboardAddress.ToString() : "(off: --Embedded:Dashboard=false)";
        Console.WriteLine($$$"""

            Registry (embedded) is running. Ctrl+C stops it.
              gateway (gRPC, h2c)  {{{gateway}}}          intake :{{{options.IntakePort}}}  custody :{{{options.CustodyPort}}}  medical :{{{options.MedicalPort}}}
              health               http://127.0.0.1:{{{options.HttpPort}}}/readyz
              trace dashboard      {{{dashboard}}}
              data                 {{{Path.GetFullPath(options.DataPath)}}}

            Try it (buf: tools/node_modules/.bin/buf after `cd tools && npm ci`; grpcurl takes the same -d JSON with -plaintext):
              buf curl --protocol grpc --http2-prior-knowledge --list-services http://{{{gateway}}}
              buf curl --protocol grpc --http2-prior-knowledge -d '{"request_id":"{{{Guid.NewGuid()}}}","identity":{"family_name":"리","given_names":"정혁","date_of_birth":{"year":2005},"nationality":"KP"},"capture":{"captured_at":"2025-01-11T06:30:00Z","place":"Kursk region","capturing_unit":"Special Operations Forces","capturing_agency":"UA-SSO"}}' http://{{{gateway}}}/registry.intake.v1.IntakeService/RegisterCapture
              buf curl --protocol grpc --http2-prior-knowledge -d '{"case_id":"<case_id>"}' http://{{{gateway}}}/registry.gateway.v1.CaseFileService/GetCaseFile
              grpcurl -plaintext {{{gateway}}} list

            """);
    }
}
