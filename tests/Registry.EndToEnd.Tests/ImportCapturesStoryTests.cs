using Google.Rpc;
using Grpc.Core;
using Registry.Protos.Intake.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;

namespace Registry.EndToEnd.Tests;

/// <summary>
/// An information bureau's list through the gateway, with an intake officer's token: the rows are registered
/// (the cases readable through the gateway, a repeated name found as a duplicate within the list), and a list
/// with a row in another agency's name is refused whole at the service behind the gateway, nothing stored.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class ImportCapturesStoryTests(RegistryFixture registry)
{
    [Fact]
    public async Task An_officers_list_is_imported_through_the_gateway_and_a_foreign_row_refuses_the_whole_list()
    {
        var officer = new IntakeService.IntakeServiceClient(TestCallers.As(registry.GatewayRawChannel, "UA-SSO", RegistryRoles.IntakeOfficer));
        var sniper = SeedStory.Sniper();
        var again = SeedStory.Sniper();
        var rifleman = SeedStory.Rifleman();
        foreach (var row in new[] { sniper, again, rifleman })
        {
            row.Capture.CapturingAgency = "UA-SSO";
        }

        var foreign = rifleman.Clone();
        foreign.RequestId = Guid.NewGuid().ToString();
        foreign.Capture.CapturingAgency = "UA-AF";
        var refused = await Assert.ThrowsAsync<RpcException>(() => officer.ImportCapturesAsync(
            new ImportCapturesRequest { Rows = { sniper, foreign } }, deadline: RegistryFixture.CallDeadline).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal("rows[1].capture.capturing_agency", refused.GetRpcStatus()!.GetDetail<ErrorInfo>().Metadata["field"]);

        var imported = await officer.ImportCapturesAsync(
            new ImportCapturesRequest { Rows = { sniper, again, rifleman } }, deadline: RegistryFixture.CallDeadline);

        Assert.All(imported.Results, r => Assert.Equal(ImportRowOutcome.Created, r.Outcome));
        Assert.Contains(imported.Results[1].DuplicateCandidates, d => d.OtherCaseId == imported.Results[0].CaseId);
        var read = await officer.GetCaseAsync(new GetCaseRequest { CaseId = imported.Results[2].CaseId }, deadline: RegistryFixture.CallDeadline);
        Assert.Equal(rifleman.Identity.FamilyName, read.Case.Identity.FamilyName);
        // The refused list stored nothing: its first row's request_id was first used by the list that was imported.
        Assert.Equal(1, await RegistryFixture.CountAsync(registry.IntakeDatabase, "SELECT count(*) FROM cases WHERE \"RequestId\" = @p0", Guid.Parse(sniper.RequestId)));
    }
}
