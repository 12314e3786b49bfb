using Registry.Custody.Domain;
using Registry.ServiceDefaults.Domain;

namespace Registry.Custody.Tests.Domain;

/// <summary>
/// The whole custody state machine with no server: every state × every event kind, the date bounds, the non-refoulement
/// hold's table, the chain's first break, and how a merge weighs the states. Each test fails if its rule is removed.
/// </summary>
public sealed class LifecycleTests
{
    private static readonly DateTimeOffset CapturedAt = new(2025, 1, 11, 6, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly Facility Kyiv = new("SBU detention facility", "Kyiv", "UA");
    private static readonly Facility Camp = new("POW camp No. 1", "Lviv region", "UA");

    /// <summary>The moves of the record, by the event kind they append (MergedFrom/MergedInto are Absorb's, below).</summary>
    private static readonly Dictionary<CustodyEventKind, Func<CustodyRecord, DateTimeOffset, CustodyEvent>> Moves = new()
    {
        [CustodyEventKind.Admitted] = (r, at) => r.Admit(Camp, "UA-SBU", at, null, Now),
        [CustodyEventKind.TransferStarted] = (r, at) => r.BeginTransfer(Camp, "UA-CCTS", at, "by road", Now),
        [CustodyEventKind.TransferArrived] = (r, at) => r.ConfirmArrival(at, null, Now),
        [CustodyEventKind.Hospitalised] = (r, at) => r.Hospitalise("Military hospital No. 1", at, null, Now),
        [CustodyEventKind.Discharged] = (r, at) => r.Discharge(at, null, Now),
        [CustodyEventKind.Escaped] = (r, at) => r.Escape(at, "through the fence", Now),
        [CustodyEventKind.Recaptured] = (r, at) => r.Recapture(Camp, "UA-SBU", at, null, Now),
        [CustodyEventKind.Released] = (r, at) => r.Release(at, "parole", Now),
        [CustodyEventKind.Repatriated] = (r, at) => r.Repatriate(at, null, Now),
        [CustodyEventKind.Exchanged] = (r, at) => r.Exchange(at, "list EX-1", Now),
        [CustodyEventKind.TransferredToThirdState] = (r, at) => r.TransferToThirdState(new Facility("Camp", null, "KR"), "KR-NIS", at, null, Now),
        [CustodyEventKind.Died] = (r, at) => r.Die(at, "Military hospital No. 1", "cause as certified", Now),
    };

    /// <summary>A record brought to <paramref name="state"/> through the moves themselves, each a day after the one before.</summary>
    private static CustodyRecord InState(CustodyState state)
    {
        var (record, _) = CustodyRecord.Open(Guid.CreateVersion7(), "RC-000001", CapturedAt, "Kursk region", "UA-SSO", Now);
        // Nothing holds a return back: the hold has tests of its own.
        record.AssessReturnRisk(ReturnRisk.Low, CapturedAt, Now);
        record.RecordReturnWish(ReturnWish.WishesToReturn, CapturedAt, Now);
        CustodyEventKind[] path = state switch
        {
            CustodyState.AwaitingAdmission => [],
            CustodyState.Held => [CustodyEventKind.Admitted],
            CustodyState.InTransfer => [CustodyEventKind.Admitted, CustodyEventKind.TransferStarted],
            CustodyState.Hospitalised => [CustodyEventKind.Admitted, CustodyEventKind.Hospitalised],
            CustodyState.Escaped => [CustodyEventKind.Admitted, CustodyEventKind.Escaped],
            CustodyState.Released => [CustodyEventKind.Admitted, CustodyEventKind.Released],
            CustodyState.Repatriated => [CustodyEventKind.Admitted, CustodyEventKind.Repatriated],
            CustodyState.Exchanged => [CustodyEventKind.Admitted, CustodyEventKind.Exchanged],
            CustodyState.TransferredToThirdState => [CustodyEventKind.Admitted, CustodyEventKind.TransferredToThirdState],
            CustodyState.Deceased => [CustodyEventKind.Admitted, CustodyEventKind.Died],
            CustodyState.Merged => [CustodyEventKind.MergedInto],
            _ => throw new ArgumentOutOfRangeException(nameof(state)),
        };
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] == CustodyEventKind.MergedInto)
            {
                var (survivor, _) = CustodyRecord.Open(Guid.CreateVersion7(), "RC-000002", CapturedAt, "Kursk region", "UA-SSO", Now);
                survivor.Absorb(record, CapturedAt.AddDays(1), Now);
            }
            else
            {
                Moves[path[i]](record, CapturedAt.AddDays(i + 1));
            }
        }

        Assert.Equal(state, record.State);
        return record;
    }

    public static TheoryData<CustodyState, CustodyEventKind> EveryStateAndKind()
    {
        var data = new TheoryData<CustodyState, CustodyEventKind>();
        foreach (var state in Enum.GetValues<CustodyState>())
        {
            foreach (var kind in Moves.Keys)
            {
                data.Add(state, kind);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryStateAndKind))]
    public void Every_state_takes_exactly_the_events_its_row_allows(CustodyState state, CustodyEventKind kind)
    {
        var record = InState(state);
        var before = (record.Version, record.EventCount, record.HeadHash, record.State, record.StateSince, record.Facility, record.CustodianAgency);
        var at = CapturedAt.AddDays(10);
        var allowed = CustodyRecord.Allowed[state].Contains(kind);
        var target = record.Target(kind);

        if (allowed)
        {
            var e = Moves[kind](record, at);
            Assert.Equal(kind, e.Kind);
            Assert.Equal(target, record.State);
            Assert.Equal(at, record.StateSince);
            Assert.Equal(before.EventCount + 1, e.Sequence);
            Assert.Equal(before.HeadHash, e.PreviousHash);
            Assert.Equal(CustodyChain.Hash(e), e.Hash);
            Assert.Equal(e.Hash, record.HeadHash);
            Assert.Equal(before.EventCount + 1, record.EventCount);
            Assert.True(record.Version > before.Version);
        }
        else
        {
            var refused = Assert.Throws<RuleViolationException>(() => Moves[kind](record, at));
            var expected = state == CustodyState.Merged ? "CASE_MERGED"
                : state == CustodyState.Held && kind == CustodyEventKind.Admitted ? "CUSTODY_ALREADY_HELD"
                : CustodyRecord.IsEnd(state) ? "CAPTIVITY_ENDED"
                : "CUSTODY_ILLEGAL_TRANSITION";
            Assert.Equal(expected, refused.Reason);
            Assert.Equal($"cases/{record.CaseId}", refused.Subject);
            Assert.Equal(before, (record.Version, record.EventCount, record.HeadHash, record.State, record.StateSince, record.Facility, record.CustodianAgency));
        }
    }

    [Fact]
    public void A_death_is_allowed_from_every_live_state_and_nothing_follows_an_end()
    {
        foreach (var state in Enum.GetValues<CustodyState>())
        {
            var live = !CustodyRecord.IsEnd(state) && state != CustodyState.Merged;
            Assert.Equal(live, CustodyRecord.Allowed[state].Contains(CustodyEventKind.Died));
            if (!live)
            {
                Assert.Empty(CustodyRecord.Allowed[state]);
            }
        }
    }

    [Fact]
    public void A_move_before_the_current_state_began_is_refused_and_changes_nothing()
    {
        var record = InState(CustodyState.Hospitalised); // since CapturedAt + 2 days
        var before = (record.Version, record.EventCount, record.HeadHash, record.State);

        var refused = Assert.Throws<RuleViolationException>(() => record.Discharge(CapturedAt.AddDays(1), null, Now));

        Assert.Equal("EVENT_BEFORE_CURRENT_STATE", refused.Reason);
        Assert.Equal(before, (record.Version, record.EventCount, record.HeadHash, record.State));
    }

    [Fact]
    public void A_move_before_the_capture_is_refused_and_changes_nothing()
    {
        var record = InState(CustodyState.AwaitingAdmission);
        var before = (record.Version, record.EventCount, record.HeadHash, record.State);

        var refused = Assert.Throws<RuleViolationException>(() => record.Escape(CapturedAt.AddHours(-1), null, Now));

        Assert.Equal("EVENT_BEFORE_CAPTURE", refused.Reason);
        Assert.Equal(before, (record.Version, record.EventCount, record.HeadHash, record.State));
    }

    [Fact]
    public void A_certified_death_before_the_current_state_began_still_closes_the_record_and_says_so()
    {
        var record = InState(CustodyState.Hospitalised); // since CapturedAt + 2 days
        var diedAt = CapturedAt.AddDays(1).AddHours(20);

        var died = record.Die(diedAt, "Military hospital No. 1", "cause as certified", Now);

        Assert.Equal(CustodyState.Deceased, record.State);
        Assert.Equal(diedAt, died.OccurredAt);
        Assert.Contains("certified date precedes the Hospitalised state", died.Note);
        // Before the capture it is still refused.
        var other = InState(CustodyState.Held);
        Assert.Equal("EVENT_BEFORE_CAPTURE", Assert.Throws<RuleViolationException>(() => other.Die(CapturedAt.AddDays(-1), "x", null, Now)).Reason);
    }

    /// <summary>GC III Art. 118 (ICRC Commentary 2020): risk × wish → hold or not; repatriation, exchange and third-state transfer alike.</summary>
    [Theory]
    [InlineData(null, null, true)]
    [InlineData(null, ReturnWish.WishesToReturn, true)]
    [InlineData(ReturnRisk.High, ReturnWish.WishesToReturn, true)]
    [InlineData(ReturnRisk.High, ReturnWish.DoesNotWishToReturn, true)]
    [InlineData(ReturnRisk.High, null, true)]
    [InlineData(ReturnRisk.Undetermined, ReturnWish.WishesToReturn, true)]
    [InlineData(ReturnRisk.Undetermined, null, true)]
    [InlineData(ReturnRisk.Low, null, true)]
    [InlineData(ReturnRisk.None, null, true)]
    [InlineData(ReturnRisk.Low, ReturnWish.WishesToReturn, false)]
    [InlineData(ReturnRisk.None, ReturnWish.WishesToReturn, false)]
    public void The_hold_follows_the_risk_and_the_recorded_wish(ReturnRisk? risk, ReturnWish? wish, bool held)
    {
        foreach (var kind in new[] { CustodyEventKind.Repatriated, CustodyEventKind.Exchanged, CustodyEventKind.TransferredToThirdState })
        {
            var (record, _) = CustodyRecord.Open(Guid.CreateVersion7(), "RC-000001", CapturedAt, "Kursk region", "UA-SSO", Now);
            record.Admit(Kyiv, "UA-SBU", CapturedAt.AddDays(1), null, Now);
            if (risk is { } r)
            {
                record.AssessReturnRisk(r, CapturedAt.AddDays(2), Now);
            }

            if (wish is { } w)
            {
                record.RecordReturnWish(w, CapturedAt.AddDays(2), Now);
            }

            Assert.Equal(held, record.NonRefoulementHold() is not null);
            var before = (record.Version, record.EventCount, record.HeadHash, record.State);
            if (held)
            {
                Assert.Equal("NON_REFOULEMENT_HOLD", Assert.Throws<RuleViolationException>(() => Moves[kind](record, CapturedAt.AddDays(3))).Reason);
                Assert.Equal(before, (record.Version, record.EventCount, record.HeadHash, record.State));
            }
            else
            {
                Moves[kind](record, CapturedAt.AddDays(3));
                Assert.Equal(record.Target(kind), record.State);
            }
        }
    }

    [Fact]
    public void A_discharge_returns_a_person_never_admitted_to_awaiting_admission()
    {
        var record = InState(CustodyState.AwaitingAdmission);
        record.Hospitalise("Field hospital", CapturedAt.AddHours(2), null, Now);
        record.Discharge(CapturedAt.AddDays(1), null, Now);
        Assert.Equal(CustodyState.AwaitingAdmission, record.State);
        Assert.Null(record.Hospital);
    }

    [Fact]
    public void Every_domain_state_and_event_kind_has_its_proto_counterpart_of_the_same_name_and_number()
    {
        foreach (var state in Enum.GetValues<CustodyState>())
        {
            var proto = Registry.Custody.Features.Records.CustodyRecordMapping.ToProto(state);
            Assert.NotEqual(Registry.Protos.Custody.V1.CustodyState.Unspecified, proto);
            Assert.Equal((int)state, (int)proto);
        }

        foreach (var kind in Enum.GetValues<CustodyEventKind>())
        {
            var proto = Registry.Custody.Features.Timeline.CustodyEventMapping.ToProto(kind);
            Assert.NotEqual(Registry.Protos.Custody.V1.CustodyEventKind.Unspecified, proto);
            Assert.Equal((int)kind, (int)proto);
        }

        Assert.Equal(Enum.GetValues<CustodyState>().Length + 1, Enum.GetValues<Registry.Protos.Custody.V1.CustodyState>().Length);
        Assert.Equal(Enum.GetValues<CustodyEventKind>().Length + 1, Enum.GetValues<Registry.Protos.Custody.V1.CustodyEventKind>().Length);
        foreach (var reason in Enum.GetValues<ChainBreakReason>())
        {
            Assert.True(Enum.TryParse<Registry.Protos.Custody.V1.ChainBreakReason>(reason.ToString(), out var proto) && (int)proto == (int)reason, $"{reason}");
        }
    }

    // ---- The chain's first break ----

    [Theory]
    [InlineData(CustodyState.Repatriated)]
    [InlineData(CustodyState.Exchanged)]
    [InlineData(CustodyState.Deceased)]
    public void After_the_end_of_captivity_no_risk_or_wish_about_return_is_recorded(CustodyState end)
    {
        var record = InState(end);
        var (version, risk) = (record.Version, record.ReturnRisk);

        Assert.Equal("CAPTIVITY_ENDED", Assert.Throws<RuleViolationException>(() => record.AssessReturnRisk(ReturnRisk.High, Now, Now)).Reason);
        Assert.Equal("CAPTIVITY_ENDED", Assert.Throws<RuleViolationException>(() => record.RecordReturnWish(ReturnWish.WishesToReturn, Now, Now)).Reason);
        Assert.Equal((version, risk), (record.Version, record.ReturnRisk));
    }

    private static List<CustodyEvent> Timeline(out CustodyRecord record)
    {
        var (r, captured) = CustodyRecord.Open(Guid.CreateVersion7(), "RC-000001", CapturedAt, "Kursk region", "UA-SSO", Now);
        record = r;
        return
        [
            captured,
            r.Admit(Kyiv, "UA-SBU", CapturedAt.AddDays(1), null, Now),
            r.Hospitalise("Military hospital No. 1", CapturedAt.AddDays(2), null, Now),
            r.Discharge(CapturedAt.AddDays(3), null, Now),
        ];
    }

    private static ChainBreak? Walk(IEnumerable<CustodyEvent> events, CustodyRecord record)
    {
        var walk = new ChainWalk();
        foreach (var e in events)
        {
            walk.Check(e);
        }

        return walk.End(record.EventCount, record.HeadHash);
    }

    private static CustodyEvent Copy(CustodyEvent e, string? note = null, long? sequence = null, string? previousHash = null) => new()
    {
        CaseId = e.CaseId, Sequence = sequence ?? e.Sequence, Kind = e.Kind, OccurredAt = e.OccurredAt, RecordedAt = e.RecordedAt,
        FacilityName = e.FacilityName, FacilityLocality = e.FacilityLocality, FacilityCountry = e.FacilityCountry,
        CustodianAgency = e.CustodianAgency, Note = note ?? e.Note, PreviousHash = previousHash ?? e.PreviousHash, Hash = e.Hash,
    };

    [Fact]
    public void An_intact_chain_has_no_break_and_its_head_is_the_records()
    {
        var events = Timeline(out var record);
        Assert.Null(Walk(events, record));
        Assert.True(CustodyChain.Verify(events));
    }

    [Fact]
    public void The_first_break_is_named_with_its_sequence_and_reason()
    {
        var events = Timeline(out var record);

        var altered = events.ToList();
        altered[1] = Copy(events[1], note: "moved a day later");
        var hash = Walk(altered, record);
        Assert.Equal((2L, ChainBreakReason.HashMismatch), (hash!.Sequence, hash.Reason));
        Assert.False(CustodyChain.Verify(altered));

        var rehashed = events.ToList();
        rehashed[1] = Copy(events[1], note: "moved");
        rehashed[1].Hash = CustodyChain.Hash(rehashed[1]);
        var link = Walk(rehashed, record);
        Assert.Equal((3L, ChainBreakReason.PreviousHashMismatch), (link!.Sequence, link.Reason));

        var gap = Walk(events.Where(e => e.Sequence != 2), record);
        Assert.Equal((2L, ChainBreakReason.SequenceGap), (gap!.Sequence, gap.Reason));

        var repeated = Walk([events[0], events[1], Copy(events[1]), events[2], events[3]], record);
        Assert.Equal((2L, ChainBreakReason.SequenceDuplicate), (repeated!.Sequence, repeated.Reason));

        var broken = events.ToList();
        broken[2] = Copy(events[2], note: "line\nbreak");
        var line = Walk(broken, record);
        Assert.Equal((3L, ChainBreakReason.LineBreak), (line!.Sequence, line.Reason));

        var tail = Walk(events.Take(3), record);
        Assert.Equal((4L, ChainBreakReason.RecordHeadMismatch), (tail!.Sequence, tail.Reason));
    }

    // ---- Merges ----

    [Theory]
    [InlineData(CustodyState.AwaitingAdmission, CustodyState.Held, CustodyState.Held)]
    [InlineData(CustodyState.Held, CustodyState.AwaitingAdmission, CustodyState.Held)]
    [InlineData(CustodyState.Held, CustodyState.Released, CustodyState.Released)]
    [InlineData(CustodyState.Released, CustodyState.Hospitalised, CustodyState.Released)]
    [InlineData(CustodyState.Repatriated, CustodyState.Deceased, CustodyState.Deceased)]
    [InlineData(CustodyState.Deceased, CustodyState.Exchanged, CustodyState.Deceased)]
    [InlineData(CustodyState.AwaitingAdmission, CustodyState.InTransfer, CustodyState.InTransfer)]
    [InlineData(CustodyState.Escaped, CustodyState.AwaitingAdmission, CustodyState.Escaped)]
    public void A_merge_keeps_the_weightier_state(CustodyState survivorState, CustodyState mergedState, CustodyState expected)
    {
        var survivor = InState(survivorState);
        var merged = InState(mergedState);

        survivor.Absorb(merged, CapturedAt.AddDays(20), Now);

        Assert.Equal(expected, survivor.State);
        Assert.Equal(CustodyState.Merged, merged.State);
    }

    [Fact]
    public void Of_two_live_states_the_later_stands_with_its_facts_and_the_return_facts_are_each_the_latest()
    {
        var survivor = InState(CustodyState.Held); // admitted CapturedAt + 1 day at the camp
        survivor.AssessReturnRisk(ReturnRisk.High, CapturedAt.AddDays(5), Now);
        var merged = InState(CustodyState.Hospitalised); // since CapturedAt + 2 days
        merged.RecordReturnWish(ReturnWish.DoesNotWishToReturn, CapturedAt.AddDays(6), Now);

        survivor.Absorb(merged, CapturedAt.AddDays(20), Now);

        Assert.Equal(CustodyState.Hospitalised, survivor.State);
        Assert.Equal("Military hospital No. 1", survivor.Hospital);
        Assert.Equal(CapturedAt.AddDays(2), survivor.StateSince);
        Assert.Equal(ReturnRisk.High, survivor.ReturnRisk);
        Assert.Equal(ReturnWish.DoesNotWishToReturn, survivor.ReturnWish);
        // A discharge then takes the survivor back to its place of internment.
        survivor.Discharge(CapturedAt.AddDays(21), null, Now);
        Assert.Equal(CustodyState.Held, survivor.State);

        var inTransfer = InState(CustodyState.InTransfer); // since CapturedAt + 2 days, to the camp
        var held = InState(CustodyState.Held);
        inTransfer.Absorb(held, CapturedAt.AddDays(20), Now);
        Assert.Equal(CustodyState.InTransfer, inTransfer.State); // held since day 1 is older than the transfer of day 2
        Assert.Equal("UA-CCTS", inTransfer.TransferToAgency);
    }

    [Fact]
    public void A_merge_carries_the_later_return_facts_into_the_survivors_timeline_and_both_chains_imply_their_records()
    {
        var (survivor, survivorCaptured) = CustodyRecord.Open(Guid.CreateVersion7(), "RC-000001", CapturedAt, "Kursk region", "UA-SSO", Now);
        var survivorEvents = new List<CustodyEvent> { survivorCaptured, survivor.Admit(Kyiv, "UA-SBU", CapturedAt.AddDays(1), null, Now) };
        survivorEvents.AddRange(survivor.AssessReturnRisk(ReturnRisk.High, CapturedAt.AddDays(3), Now));
        var (merged, mergedCaptured) = CustodyRecord.Open(Guid.CreateVersion7(), "RC-000002", CapturedAt, "Kursk region", "UA-SSO", Now);
        var mergedEvents = new List<CustodyEvent> { mergedCaptured };
        mergedEvents.AddRange(merged.AssessReturnRisk(ReturnRisk.Low, CapturedAt.AddDays(5), Now));
        mergedEvents.AddRange(merged.RecordReturnWish(ReturnWish.WishesToReturn, CapturedAt.AddDays(4), Now));

        var merge = survivor.Absorb(merged, CapturedAt.AddDays(6), Now);
        survivorEvents.Add(merge.Survivor);
        survivorEvents.AddRange(merge.Carried);
        mergedEvents.Add(merge.Merged);

        Assert.Equal([CustodyEventKind.ReturnRiskAssessed, CustodyEventKind.ReturnWishRecorded], merge.Carried.Select(e => e.Kind));
        Assert.All(merge.Carried, e => Assert.Contains("carried over from case RC-000002", e.Note));
        Assert.Equal((ReturnRisk.Low, ReturnWish.WishesToReturn), (survivor.ReturnRisk, survivor.ReturnWish));
        Assert.Equal(survivor.HeadHash, merge.Carried[^1].Hash);
        Assert.Null(WalkRecord(survivorEvents, survivor));
        Assert.Null(WalkRecord(mergedEvents, merged));

        // An older assessment entered after the merge is an event that changes nothing, and the chain still implies the record.
        survivorEvents.AddRange(survivor.AssessReturnRisk(ReturnRisk.High, CapturedAt.AddDays(2), Now));
        Assert.Equal(ReturnRisk.Low, survivor.ReturnRisk);
        Assert.Null(WalkRecord(survivorEvents, survivor));
    }

    [Fact]
    public void The_walk_implies_the_place_and_the_custodian_of_every_state()
    {
        foreach (var state in Enum.GetValues<CustodyState>().Where(s => s != CustodyState.Merged))
        {
            var (record, captured) = CustodyRecord.Open(Guid.CreateVersion7(), "RC-000001", CapturedAt, "Kursk region", "UA-SSO", Now);
            var events = new List<CustodyEvent> { captured };
            events.AddRange(record.AssessReturnRisk(ReturnRisk.Low, CapturedAt, Now));
            events.AddRange(record.RecordReturnWish(ReturnWish.WishesToReturn, CapturedAt, Now));
            CustodyEventKind[] path = state switch
            {
                CustodyState.AwaitingAdmission => [],
                CustodyState.Held => [CustodyEventKind.Admitted],
                CustodyState.InTransfer => [CustodyEventKind.Admitted, CustodyEventKind.TransferStarted],
                CustodyState.Escaped => [CustodyEventKind.Admitted, CustodyEventKind.Hospitalised, CustodyEventKind.Escaped],
                CustodyState.Hospitalised => [CustodyEventKind.Admitted, CustodyEventKind.TransferStarted, CustodyEventKind.TransferArrived, CustodyEventKind.Hospitalised],
                _ => [CustodyEventKind.Admitted, CustodyEventKind.Escaped, CustodyEventKind.Recaptured, state switch
                {
                    CustodyState.Released => CustodyEventKind.Released,
                    CustodyState.Repatriated => CustodyEventKind.Repatriated,
                    CustodyState.Exchanged => CustodyEventKind.Exchanged,
                    CustodyState.TransferredToThirdState => CustodyEventKind.TransferredToThirdState,
                    _ => CustodyEventKind.Died,
                }],
            };
            for (var i = 0; i < path.Length; i++)
            {
                events.Add(Moves[path[i]](record, CapturedAt.AddDays(i + 1)));
            }

            Assert.Equal(state, record.State);
            Assert.Null(WalkRecord(events, record));
        }
    }

    private static ChainBreak? WalkRecord(IEnumerable<CustodyEvent> events, CustodyRecord record)
    {
        var walk = new ChainWalk();
        foreach (var e in events)
        {
            walk.Check(e);
        }

        return walk.End(record);
    }
}
