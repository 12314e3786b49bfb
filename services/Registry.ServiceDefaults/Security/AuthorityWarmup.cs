using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Registry.ServiceDefaults.Security;

/// <summary>
/// Reads the authority's discovery document and signing keys at start, so the first calls do not wait for
/// them (JwtBearer otherwise fetches them on the first token it sees). Failing here only logs: the keys are
/// fetched again on the first call, and a call whose token cannot be checked answers UNAVAILABLE.
/// </summary>
public sealed class AuthorityWarmup(IOptionsMonitor<JwtBearerOptions> options, ILogger<AuthorityWarmup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var jwt = options.Get(JwtBearerDefaults.AuthenticationScheme);
        if (jwt.ConfigurationManager is not { } manager)
        {
            return;
        }

        try
        {
            var configuration = await manager.GetConfigurationAsync(stoppingToken);
            logger.LogInformation("Authority {Issuer}: {Keys} signing keys", configuration.Issuer, configuration.SigningKeys.Count);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // In one host with the authority (the embedded mode) it may not listen yet: not an error.
            logger.LogInformation("The authority's keys could not be read at start ({Error}); they are fetched on the first call",
                ex.GetBaseException().Message);
        }
    }
}
