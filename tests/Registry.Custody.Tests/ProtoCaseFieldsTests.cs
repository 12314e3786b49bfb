using Registry.Protos.Custody.V1;
using Registry.ServiceDefaults.Security;

namespace Registry.Custody.Tests;

/// <summary>The access audit reads repeated <c>case_ids</c> too: a call naming several cases names each of them.</summary>
public sealed class ProtoCaseFieldsTests
{
    [Fact]
    public void A_requests_repeated_case_ids_are_read_in_order_once_each_skipping_what_is_not_a_uuid()
    {
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        var request = new RecordIcrcVisitRequest { CaseIds = { a.ToString(), "RC-000001", b.ToString("N"), a.ToString().ToUpperInvariant() } };

        Assert.Equal([a, b], ProtoCaseFields.FromRequest(request));
    }

    [Fact]
    public void A_responses_repeated_case_ids_one_level_down_are_read_up_to_the_bound()
    {
        var response = new ListIcrcVisitsResponse();
        var all = new List<Guid>();
        for (var v = 0; v < 11; v++)
        {
            var visit = new IcrcVisit();
            var ids = Enumerable.Range(0, 100).Select(_ => Guid.NewGuid()).ToList();
            visit.CaseIds.Add(ids.Select(i => i.ToString()));
            all.AddRange(ids);
            response.Visits.Add(visit);
        }

        var read = new List<Guid>();
        ProtoCaseFields.AddFromResponse(response, read);

        Assert.Equal(all.Take(ProtoCaseFields.MaxCaseIds), read);
    }

    [Theory]
    [InlineData("RC-000031", true)]
    [InlineData("", true)]
    [InlineData("3f2b8c1e-9a4d-4e7f-8b6a-2c1d0e9f8a7b", false)]
    public void A_case_field_that_is_not_a_uuid_is_left_to_the_handlers_validation(string caseId, bool unreadable)
    {
        Assert.Equal(unreadable, ProtoCaseFields.HasUnreadableCaseField(new RecordEscapeRequest { CaseId = caseId }));
        // A message with no case field at all stays for the access check to refuse (fail closed).
        Assert.False(ProtoCaseFields.HasUnreadableCaseField(new GetExchangeListRequest { ExchangeListId = caseId }));
    }
}
