using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Registry.Protos.Intake.V1;

namespace Registry.Intake.Tests;

public sealed class PersonalEffectsTests(IntakeFixture intake) : IClassFixture<IntakeFixture>
{
    private static RecordPersonalEffectsRequest Receipt(string caseId) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        CaseId = caseId,
        ReceiptNumber = $"SSO-R-{Random.Shared.Next(100_000, 999_999)}",
        TakenBy = new EffectTaker { Name = "Petrenko O.", Rank = "Senior lieutenant", Unit = "Special Operations Forces" },
        TakenAt = Timestamp.FromDateTimeOffset(Requests.CapturedAt.AddHours(3)),
        Items =
        {
            new PersonalEffect { Description = "Russian military identity card in the name of another man", Quantity = 1 },
            new PersonalEffect { Description = "Banknotes", Quantity = 12, Money = new Money { CurrencyCode = "RUB", Units = 3500 } },
            new PersonalEffect { Description = "Wristwatch", Quantity = 1 },
        },
    };

    [Fact]
    public async Task Items_taken_against_a_receipt_are_registered_with_the_taker_and_start_held()
    {
        var owner = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var request = Receipt(owner.CaseId);

        var recorded = await intake.Client.RecordPersonalEffectsAsync(request);
        var replay = await intake.Client.RecordPersonalEffectsAsync(request);

        Assert.Equal(3, recorded.Effects.Count);
        Assert.True(replay.Replayed);
        Assert.Equal(recorded.Effects, replay.Effects);
        var register = (await intake.Client.ListPersonalEffectsAsync(new ListPersonalEffectsRequest { CaseId = owner.CaseId, PageSize = 2 }));
        Assert.Equal(2, register.Effects.Count);
        var rest = await intake.Client.ListPersonalEffectsAsync(new ListPersonalEffectsRequest { CaseId = owner.CaseId, PageSize = 2, PageToken = register.NextPageToken });
        Assert.Equal(recorded.Effects, register.Effects.Concat(rest.Effects));
        var money = recorded.Effects[1];
        Assert.Equal((request.ReceiptNumber, "RUB", 3500L, EffectFate.Held), (money.ReceiptNumber, money.Money.CurrencyCode, money.Money.Units, money.Fate));
        Assert.Equal(request.TakenBy, money.TakenBy);
    }

    [Fact]
    public async Task Concurrent_retries_of_one_receipt_all_get_its_answer()
    {
        // Copies of one request in flight at once: the losers meet the winner's receipt number (or its
        // request id) and must replay its answer, not refuse their own receipt.
        for (var round = 0; round < 5; round++)
        {
            var owner = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
            var request = Receipt(owner.CaseId);

            var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => intake.Client.RecordPersonalEffectsAsync(request.Clone()).ResponseAsync));

            Assert.Single(answers, a => !a.Replayed);
            Assert.All(answers, a => Assert.Equal(answers[0].Effects, a.Effects));
        }
    }

    [Fact]
    public async Task Concurrent_fates_of_one_item_record_one_and_refuse_the_rest()
    {
        // GC III Art. 18: once an item has left safekeeping its fate is final, also against writers racing it.
        for (var round = 0; round < 5; round++)
        {
            var owner = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
            var watch = (await intake.Client.RecordPersonalEffectsAsync(Receipt(owner.CaseId))).Effects[2];

            var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
            {
                try
                {
                    await intake.Client.RecordPersonalEffectFateAsync(new RecordPersonalEffectFateRequest
                    {
                        CaseId = owner.CaseId, EffectId = watch.EffectId,
                        Fate = i % 2 == 0 ? EffectFate.Returned : EffectFate.HandedOver, FateNote = $"writer {i}",
                    });
                    return StatusCode.OK;
                }
                catch (RpcException ex)
                {
                    return ex.StatusCode;
                }
            }));

            Assert.Single(outcomes, s => s == StatusCode.OK);
            Assert.All(outcomes.Where(s => s != StatusCode.OK), s => Assert.Equal(StatusCode.FailedPrecondition, s));
        }
    }

    [Fact]
    public async Task A_receipt_number_is_used_once_per_case_and_a_request_id_once()
    {
        var owner = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var first = Receipt(owner.CaseId);
        await intake.Client.RecordPersonalEffectsAsync(first);

        var sameNumber = Receipt(owner.CaseId);
        sameNumber.ReceiptNumber = first.ReceiptNumber;
        var sameRequestId = Receipt(owner.CaseId);
        sameRequestId.RequestId = first.RequestId;

        Assert.Equal(StatusCode.AlreadyExists, (await Assert.ThrowsAsync<RpcException>(() => intake.Client.RecordPersonalEffectsAsync(sameNumber).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.AlreadyExists, (await Assert.ThrowsAsync<RpcException>(() => intake.Client.RecordPersonalEffectsAsync(sameRequestId).ResponseAsync)).StatusCode);
        var caseId = Guid.Parse(owner.CaseId);
        Assert.Equal(3, await intake.QueryAsync(db => db.PersonalEffects.CountAsync(e => e.CaseId == caseId)));
    }

    [Fact]
    public async Task An_items_later_fate_is_recorded_once_it_has_left_safekeeping_nothing_more_is()
    {
        var owner = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var watch = (await intake.Client.RecordPersonalEffectsAsync(Receipt(owner.CaseId))).Effects[2];

        var returned = (await intake.Client.RecordPersonalEffectFateAsync(new RecordPersonalEffectFateRequest
        {
            CaseId = owner.CaseId, EffectId = watch.EffectId, Fate = EffectFate.Returned, FateNote = "returned at the SBU facility",
        })).Effect;
        var again = await Assert.ThrowsAsync<RpcException>(() => intake.Client.RecordPersonalEffectFateAsync(new RecordPersonalEffectFateRequest
        {
            CaseId = owner.CaseId, EffectId = watch.EffectId, Fate = EffectFate.HandedOver, FateNote = "to the transfer escort",
        }).ResponseAsync);

        Assert.Equal(EffectFate.Returned, returned.Fate);
        Assert.NotNull(returned.FateRecordedAt);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        var listed = (await intake.Client.ListPersonalEffectsAsync(new ListPersonalEffectsRequest { CaseId = owner.CaseId, PageSize = 10 })).Effects;
        Assert.Equal(returned, listed.Single(e => e.EffectId == watch.EffectId));
    }

    private delegate Task Call(IntakeService.IntakeServiceClient client, string caseId, string effectId);

    private static readonly Dictionary<string, Call> BadCalls = new()
    {
        ["empty receipt"] = (c, _, _) => c.RecordPersonalEffectsAsync(new RecordPersonalEffectsRequest()).ResponseAsync,
        ["no items"] = (c, id, _) => c.RecordPersonalEffectsAsync(Spoil(id, r => r.Items.Clear())).ResponseAsync,
        ["101 items"] = (c, id, _) => c.RecordPersonalEffectsAsync(Spoil(id, r => r.Items.AddRange(Enumerable.Range(0, 98).Select(_ => new PersonalEffect { Description = "x", Quantity = 1 })))).ResponseAsync,
        ["no taker"] = (c, id, _) => c.RecordPersonalEffectsAsync(Spoil(id, r => r.TakenBy = null)).ResponseAsync,
        ["taker without a unit"] = (c, id, _) => c.RecordPersonalEffectsAsync(Spoil(id, r => r.TakenBy.Unit = "")).ResponseAsync,
        ["taken tomorrow"] = (c, id, _) => c.RecordPersonalEffectsAsync(Spoil(id, r => r.TakenAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1)))).ResponseAsync,
        ["taken years before the capture"] = (c, id, _) => c.RecordPersonalEffectsAsync(Spoil(id, r => r.TakenAt = Timestamp.FromDateTimeOffset(Requests.CapturedAt.AddYears(-7)))).ResponseAsync,
        ["taken an hour before the capture"] = (c, id, _) => c.RecordPersonalEffectsAsync(Spoil(id, r => r.TakenAt = Timestamp.FromDateTimeOffset(Requests.CapturedAt.AddHours(-1)))).ResponseAsync,
        ["taken on 0001-01-01"] = (c, id, _) => c.RecordPersonalEffectsAsync(Spoil(id, r => r.TakenAt = new Timestamp { Seconds = -62135596800 })).ResponseAsync,
        ["taken in 1899"] = (c, id, _) => c.RecordPersonalEffectsAsync(Spoil(id, r => r.TakenAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(1899, 7, 1, 0, 0, 0, TimeSpan.Zero)))).ResponseAsync,
        ["line separator in a description"] = (c, id, _) => c.RecordPersonalEffectsAsync(Spoil(id, r => r.Items[0].Description = "card\u2028holder")).ResponseAsync,
        ["nil request id"] = (c, id, _) => c.RecordPersonalEffectsAsync(Spoil(id, r => r.RequestId = Guid.Empty.ToString())).ResponseAsync,
        ["quantity 0"] = (c, id, _) => c.RecordPersonalEffectsAsync(Spoil(id, r => r.Items[2].Quantity = 0)).ResponseAsync,
        ["currency in lower case"] = (c, id, _) => c.RecordPersonalEffectsAsync(Spoil(id, r => r.Items[1].Money.CurrencyCode = "rub")).ResponseAsync,
        ["negative money"] = (c, id, _) => c.RecordPersonalEffectsAsync(Spoil(id, r => r.Items[1].Money.Units = -5)).ResponseAsync,
        ["control character in a description"] = (c, id, _) => c.RecordPersonalEffectsAsync(Spoil(id, r => r.Items[0].Description = "card\u0000")).ResponseAsync,
        ["list page size 0"] = (c, id, _) => c.ListPersonalEffectsAsync(new ListPersonalEffectsRequest { CaseId = id }).ResponseAsync,
        ["list page size a million"] = (c, id, _) => c.ListPersonalEffectsAsync(new ListPersonalEffectsRequest { CaseId = id, PageSize = 1_000_000 }).ResponseAsync,
        ["fate unspecified"] = (c, id, e) => c.RecordPersonalEffectFateAsync(new RecordPersonalEffectFateRequest { CaseId = id, EffectId = e }).ResponseAsync,
        ["fate held"] = (c, id, e) => c.RecordPersonalEffectFateAsync(new RecordPersonalEffectFateRequest { CaseId = id, EffectId = e, Fate = EffectFate.Held }).ResponseAsync,
        ["fate unknown"] = (c, id, e) => c.RecordPersonalEffectFateAsync(new RecordPersonalEffectFateRequest { CaseId = id, EffectId = e, Fate = (EffectFate)9 }).ResponseAsync,
        ["handed over to nobody"] = (c, id, e) => c.RecordPersonalEffectFateAsync(new RecordPersonalEffectFateRequest { CaseId = id, EffectId = e, Fate = EffectFate.HandedOver }).ResponseAsync,
    };

    private static RecordPersonalEffectsRequest Spoil(string caseId, Action<RecordPersonalEffectsRequest> spoil)
    {
        var request = Receipt(caseId);
        spoil(request);
        return request;
    }

    [Theory]
    [InlineData("empty receipt", "request_id")]
    [InlineData("no items", "items")]
    [InlineData("101 items", "items")]
    [InlineData("no taker", "taken_by")]
    [InlineData("taker without a unit", "taken_by.unit")]
    [InlineData("taken tomorrow", "taken_at")]
    [InlineData("taken years before the capture", "taken_at")]
    [InlineData("taken an hour before the capture", "taken_at")]
    [InlineData("taken on 0001-01-01", "taken_at")]
    [InlineData("taken in 1899", "taken_at")]
    [InlineData("line separator in a description", "items[0].description")]
    [InlineData("nil request id", "request_id")]
    [InlineData("quantity 0", "items[2].quantity")]
    [InlineData("currency in lower case", "items[1].money.currency_code")]
    [InlineData("negative money", "items[1].money")]
    [InlineData("control character in a description", "items[0].description")]
    [InlineData("list page size 0", "page_size")]
    [InlineData("list page size a million", "page_size")]
    [InlineData("fate unspecified", "fate")]
    [InlineData("fate held", "fate")]
    [InlineData("fate unknown", "fate")]
    [InlineData("handed over to nobody", "fate_note")]
    public async Task A_bad_effects_request_is_refused_naming_the_field_and_stores_nothing(string call, string field)
    {
        var owner = (await intake.Client.RegisterCaptureAsync(Requests.Rifleman())).Case;
        var effect = (await intake.Client.RecordPersonalEffectsAsync(Receipt(owner.CaseId))).Effects[0];
        var before = await intake.QueryAsync(db => db.PersonalEffects.OrderBy(e => e.Id).Select(e => new { e.EffectId, e.Fate }).ToListAsync());

        var error = await Assert.ThrowsAsync<RpcException>(() => BadCalls[call](intake.Client, owner.CaseId, effect.EffectId));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(before, await intake.QueryAsync(db => db.PersonalEffects.OrderBy(e => e.Id).Select(e => new { e.EffectId, e.Fate }).ToListAsync()));
    }
}
