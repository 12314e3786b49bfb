using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Registry.Protos.Common.V1;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Tests;

// Registry.Identity (the authorization server) is a namespace too: the proto type wins here.
using Identity = Registry.Protos.Intake.V1.Identity;

/// <summary>Bad requests to the calls that read or change an existing case: each is refused naming the field, and stores nothing.</summary>
public sealed class CaseChangeValidationTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    private delegate Task Call(IntakeService.IntakeServiceClient client, Case existing);

    private static UpdateIdentityRequest Update(Case c, Action<UpdateIdentityRequest> spoil)
    {
        var request = new UpdateIdentityRequest
        {
            CaseId = c.CaseId,
            Identity = new Identity { FamilyNameLatin = "Ri", Rank = "Private" },
            UpdateMask = FieldMask.FromString("family_name_latin,rank"),
            Source = new AssertionSource { Kind = SourceKind.StatedByPerson },
            Revision = c.Revision,
        };
        spoil(request);
        return request;
    }

    private static ChangeStatusCategoryRequest Status(Case c, Action<ChangeStatusCategoryRequest> spoil)
    {
        var request = new ChangeStatusCategoryRequest
        {
            CaseId = c.CaseId,
            StatusCategory = StatusCategory.PrisonerOfWar,
            DecisionReference = "T5-1",
            DecidedBy = "tribunal",
            DecidedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-1)),
            Revision = c.Revision,
        };
        spoil(request);
        return request;
    }

    private static readonly Dictionary<string, Call> Calls = new()
    {
        ["update: empty request"] = (client, _) => client.UpdateIdentityAsync(new UpdateIdentityRequest()).ResponseAsync,
        ["update: no mask"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => r.UpdateMask = null)).ResponseAsync,
        ["update: unknown mask path"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => r.UpdateMask.Paths.Add("favourite_colour"))).ResponseAsync,
        ["update: no source"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => r.Source = null)).ResponseAsync,
        ["update: document without its type"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => r.Source = new AssertionSource { Kind = SourceKind.Document })).ResponseAsync,
        ["update: unknown source kind"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => r.Source.Kind = (SourceKind)42)).ResponseAsync,
        ["update: no revision"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => r.Revision = 0)).ResponseAsync,
        ["update: oversized rank"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => r.Identity.Rank = new string('x', 101))).ResponseAsync,
        ["update: control character"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => r.Identity.Rank = "Pri\u001bvate")).ResponseAsync,
        ["update: Hangul in the transliteration"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => r.Identity.FamilyNameLatin = "리")).ResponseAsync,
        // What a client's lossy UTF-8 conversion leaves behind. (Raw bytes that are not UTF-8 never reach the
        // service: the protobuf parser refuses the message before any handler runs.)
        ["update: replacement character in the transliteration"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => r.Identity.FamilyNameLatin = "R\uFFFDi")).ResponseAsync,
        ["update: unknown sex"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => { r.Identity.Sex = (Sex)7; r.UpdateMask.Paths.Add("sex"); })).ResponseAsync,
        ["update: 31 April"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => { r.Identity.DateOfBirth = new PartialDate { Year = 2005, Month = 4, Day = 31 }; r.UpdateMask.Paths.Add("date_of_birth"); })).ResponseAsync,
        ["update: born after the capture"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => { r.Identity.DateOfBirth = new PartialDate { Year = 2025, Month = 2 }; r.UpdateMask.Paths.Add("date_of_birth"); })).ResponseAsync,
        ["update: not a language tag"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => { r.Identity.Languages.Add("Korean language"); r.UpdateMask.Paths.Add("languages"); })).ResponseAsync,
        ["update: leaves no name"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => { r.Identity = new Identity(); r.UpdateMask = FieldMask.FromString("family_name,given_names,family_name_latin,given_names_latin"); })).ResponseAsync,
        // Dates that can be true (the shared DateRules): the Rifleman was born in 2005 and captured on 2025-01-11.
        ["update: in service before birth"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => { r.Identity.InServiceSince = new PartialDate { Year = 2003, Month = 9 }; r.UpdateMask.Paths.Add("in_service_since"); })).ResponseAsync,
        ["update: in service after the capture"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => { r.Identity.InServiceSince = new PartialDate { Year = 2025, Month = 3 }; r.UpdateMask.Paths.Add("in_service_since"); })).ResponseAsync,
        ["update: born after in service since"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => { r.Identity.DateOfBirth = new PartialDate { Year = 2008 }; r.Identity.InServiceSince = new PartialDate { Year = 2007 }; r.UpdateMask.Paths.Add("date_of_birth"); r.UpdateMask.Paths.Add("in_service_since"); })).ResponseAsync,
        ["update: born in the year 1"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => { r.Identity.DateOfBirth = new PartialDate { Year = 1 }; r.UpdateMask.Paths.Add("date_of_birth"); })).ResponseAsync,
        ["update: nationality ZZ"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => { r.Identity.Nationality = "ZZ"; r.UpdateMask.Paths.Add("nationality"); })).ResponseAsync,
        ["update: dependent power QQ"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => { r.Identity.DependentPower = "QQ"; r.UpdateMask.Paths.Add("dependent_power"); })).ResponseAsync,
        ["update: language rus for ru"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => { r.Identity.Languages.Add("rus"); r.UpdateMask.Paths.Add("languages"); })).ResponseAsync,
        ["update: line separator in the rank"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => r.Identity.Rank = "Private\u2028first class")).ResponseAsync,
        ["update: paragraph separator in the source note"] = (client, c) => client.UpdateIdentityAsync(Update(c, r => r.Source.Note = "said\u2029so")).ResponseAsync,
        ["status: decided years before the capture"] = (client, c) => client.ChangeStatusCategoryAsync(Status(c, r => r.DecidedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2019, 5, 1, 0, 0, 0, TimeSpan.Zero)))).ResponseAsync,
        ["status: decided an hour before the capture"] = (client, c) => client.ChangeStatusCategoryAsync(Status(c, r => r.DecidedAt = Timestamp.FromDateTimeOffset(Requests.CapturedAt.AddHours(-1)))).ResponseAsync,
        ["status: decided on 0001-01-01"] = (client, c) => client.ChangeStatusCategoryAsync(Status(c, r => r.DecidedAt = new Timestamp { Seconds = -62135596800 })).ResponseAsync,
        ["status: decided in 9999"] = (client, c) => client.ChangeStatusCategoryAsync(Status(c, r => r.DecidedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(9999, 1, 1, 0, 0, 0, TimeSpan.Zero)))).ResponseAsync,
        ["status: line separator in the decision reference"] = (client, c) => client.ChangeStatusCategoryAsync(Status(c, r => r.DecisionReference = "T5\u20281")).ResponseAsync,
        ["status: empty request"] = (client, _) => client.ChangeStatusCategoryAsync(new ChangeStatusCategoryRequest()).ResponseAsync,
        ["status: unspecified category"] = (client, c) => client.ChangeStatusCategoryAsync(Status(c, r => r.StatusCategory = StatusCategory.Unspecified)).ResponseAsync,
        ["status: unknown category"] = (client, c) => client.ChangeStatusCategoryAsync(Status(c, r => r.StatusCategory = (StatusCategory)99)).ResponseAsync,
        ["status: no decision reference"] = (client, c) => client.ChangeStatusCategoryAsync(Status(c, r => r.DecisionReference = " ")).ResponseAsync,
        ["status: decided in the future"] = (client, c) => client.ChangeStatusCategoryAsync(Status(c, r => r.DecidedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(3)))).ResponseAsync,
        ["assertions: page size 0"] = (client, c) => client.ListIdentityAssertionsAsync(new ListIdentityAssertionsRequest { CaseId = c.CaseId, PageSize = 0 }).ResponseAsync,
        ["assertions: page size a million"] = (client, c) => client.ListIdentityAssertionsAsync(new ListIdentityAssertionsRequest { CaseId = c.CaseId, PageSize = 1_000_000 }).ResponseAsync,
        ["assertions: forged page token"] = (client, c) => client.ListIdentityAssertionsAsync(new ListIdentityAssertionsRequest { CaseId = c.CaseId, PageSize = 5, PageToken = "djE6OTk5OmFiYw" }).ResponseAsync,
        ["assertions: case id not a uuid"] = (client, _) => client.ListIdentityAssertionsAsync(new ListIdentityAssertionsRequest { CaseId = "RC-000001", PageSize = 5 }).ResponseAsync,
        ["status history: page size 0"] = (client, c) => client.ListStatusChangesAsync(new ListStatusChangesRequest { CaseId = c.CaseId }).ResponseAsync,
    };

    [Theory]
    [InlineData("update: empty request", "case_id")]
    [InlineData("update: no mask", "update_mask")]
    [InlineData("update: unknown mask path", "update_mask")]
    [InlineData("update: no source", "source")]
    [InlineData("update: document without its type", "source.document_type")]
    [InlineData("update: unknown source kind", "source.kind")]
    [InlineData("update: no revision", "revision")]
    [InlineData("update: oversized rank", "identity.rank")]
    [InlineData("update: control character", "identity.rank")]
    [InlineData("update: Hangul in the transliteration", "identity.family_name_latin")]
    [InlineData("update: replacement character in the transliteration", "identity.family_name_latin")]
    [InlineData("update: unknown sex", "identity.sex")]
    [InlineData("update: 31 April", "identity.date_of_birth")]
    [InlineData("update: born after the capture", "identity.date_of_birth")]
    [InlineData("update: not a language tag", "identity.languages[0]")]
    [InlineData("update: leaves no name", "identity.family_name")]
    [InlineData("update: in service before birth", "identity.in_service_since")]
    [InlineData("update: in service after the capture", "identity.in_service_since")]
    [InlineData("update: born after in service since", "identity.in_service_since")]
    [InlineData("update: born in the year 1", "identity.date_of_birth")]
    [InlineData("update: nationality ZZ", "identity.nationality")]
    [InlineData("update: dependent power QQ", "identity.dependent_power")]
    [InlineData("update: language rus for ru", "identity.languages[0]")]
    [InlineData("update: line separator in the rank", "identity.rank")]
    [InlineData("update: paragraph separator in the source note", "source.note")]
    [InlineData("status: decided years before the capture", "decided_at")]
    [InlineData("status: decided an hour before the capture", "decided_at")]
    [InlineData("status: decided on 0001-01-01", "decided_at")]
    [InlineData("status: decided in 9999", "decided_at")]
    [InlineData("status: line separator in the decision reference", "decision_reference")]
    [InlineData("status: empty request", "case_id")]
    [InlineData("status: unspecified category", "status_category")]
    [InlineData("status: unknown category", "status_category")]
    [InlineData("status: no decision reference", "decision_reference")]
    [InlineData("status: decided in the future", "decided_at")]
    [InlineData("assertions: page size 0", "page_size")]
    [InlineData("assertions: page size a million", "page_size")]
    [InlineData("assertions: forged page token", "page_token")]
    [InlineData("assertions: case id not a uuid", "case_id")]
    [InlineData("status history: page size 0", "page_size")]
    public async Task A_bad_request_is_refused_naming_the_field_and_stores_nothing(string call, string field)
    {
        var existing = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var before = await intake.CountStoredAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => Calls[call](intake.Client, existing));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var badRequest = error.GetRpcStatus()?.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Contains(field, badRequest.FieldViolations.Select(v => v.Field));
        Assert.Equal(before, await intake.CountStoredAsync());
        Assert.Equal(existing, (await intake.Client.GetCaseAsync(new GetCaseRequest { CaseId = existing.CaseId })).Case);
    }
}
