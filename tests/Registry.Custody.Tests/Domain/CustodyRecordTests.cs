using Registry.Custody.Domain;
using Registry.ServiceDefaults.Domain;

namespace Registry.Custody.Tests.Domain;

/// <summary>The custody state machine and its hash chain, with no server: each test fails if its rule is removed.</summary>
public sealed class CustodyRecordTests
{
    private static readonly DateTimeOffset CapturedAt = new(2025, 1, 11, 6, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2025, 1, 12, 9, 0, 0, TimeSpan.Zero);
    private static readonly Facility Kyiv = new("SBU detention facility", "Kyiv", "UA");

    private static CustodyRecord Opened(out CustodyEvent captured)
    {
        var (record, first) = CustodyRecord.Open(Guid.CreateVersion7(), "RC-000001", CapturedAt, "Kursk region", "UA-SSO", Now);
        captured = first;
        return record;
    }

    private static CustodyRecord InState(CustodyState state)
    {
        var record = Opened(out _);
        if (state == CustodyState.Held)
        {
            record.Admit(Kyiv, "UA-SBU", CapturedAt.AddDays(1), null, Now);
        }

        Assert.Equal(state, record.State);
        return record;
    }

    [Fact]
    public void A_record_opens_awaiting_admission_with_the_capture_as_its_first_event()
    {
        var record = Opened(out var captured);

        Assert.Equal(CustodyState.AwaitingAdmission, record.State);
        Assert.Equal("UA-SSO", record.CustodianAgency);
        Assert.Equal(CustodyEventKind.Captured, captured.Kind);
        Assert.Equal(1, captured.Sequence);
        Assert.Equal("", captured.PreviousHash);
        Assert.Equal(captured.Hash, record.HeadHash);
        Assert.Equal(1, record.EventCount);
    }

    /// <summary>Every state × every move a caller can ask for: allowed exactly where the transition table says.</summary>
    [Theory]
    [InlineData(CustodyState.AwaitingAdmission, true, null)]
    [InlineData(CustodyState.Held, false, "CUSTODY_ALREADY_HELD")]
    public void Admission_follows_the_transition_table(CustodyState from, bool allowed, string? reason)
    {
        var record = InState(from);
        Assert.Equal(allowed, CustodyRecord.Allowed[from].Contains(CustodyEventKind.Admitted));

        var admit = () => record.Admit(new Facility("Camp 7", null, "UA"), "UA-SBU", CapturedAt.AddDays(2), "moved", Now);
        if (allowed)
        {
            var admitted = admit();
            Assert.Equal(CustodyState.Held, record.State);
            Assert.Equal("UA-SBU", record.CustodianAgency);
            Assert.Equal(CustodyEventKind.Admitted, admitted.Kind);
        }
        else
        {
            var refused = Assert.Throws<RuleViolationException>(admit);
            Assert.Equal(reason, refused.Reason);
            Assert.Equal($"cases/{record.CaseId}", refused.Subject);
        }
    }

    [Fact]
    public void Every_state_has_a_row_in_the_transition_table()
    {
        Assert.All(Enum.GetValues<CustodyState>(), s => Assert.True(CustodyRecord.Allowed.ContainsKey(s), $"{s} has no row"));
    }

    [Fact]
    public void An_admission_before_the_capture_is_refused_and_changes_nothing()
    {
        var record = Opened(out _);
        var head = record.HeadHash;

        // More than the 5 minutes of clock skew the shared date rules allow (DateRules.ClockSkew).
        var refused = Assert.Throws<RuleViolationException>(() => record.Admit(Kyiv, "UA-SBU", CapturedAt.AddMinutes(-6), null, Now));

        Assert.Equal("ADMISSION_BEFORE_CAPTURE", refused.Reason);
        Assert.Equal(CustodyState.AwaitingAdmission, record.State);
        Assert.Equal(head, record.HeadHash);
        Assert.Equal(1, record.EventCount);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r")]
    [InlineData("\u000B")]
    [InlineData("\f")]
    [InlineData("\u0085")]
    [InlineData("\u2028")]
    [InlineData("\u2029")]
    public void The_chain_hashes_no_field_holding_a_line_break_and_a_timeline_holding_one_does_not_verify(string lineBreak)
    {
        var record = Opened(out var captured);
        Assert.Throws<ArgumentException>(() => record.Admit(new Facility("Camp" + lineBreak + "7", "Kyiv", "UA"), "UA-SBU", CapturedAt.AddDays(1), null, Now));
        Assert.Equal((CustodyState.AwaitingAdmission, 1L, captured.Hash), (record.State, record.EventCount, record.HeadHash));

        // A stored field altered to hold one ("a" + break + "b" would hash like two fields) fails verification, it does not throw.
        var admitted = record.Admit(Kyiv, "UA-SBU", CapturedAt.AddDays(1), "brought by the unit", Now);
        Assert.True(CustodyChain.Verify([captured, admitted]));
        var tampered = new CustodyEvent
        {
            CaseId = admitted.CaseId, Sequence = admitted.Sequence, Kind = admitted.Kind, OccurredAt = admitted.OccurredAt,
            RecordedAt = admitted.RecordedAt, FacilityName = admitted.FacilityName, FacilityLocality = admitted.FacilityLocality,
            FacilityCountry = admitted.FacilityCountry, CustodianAgency = admitted.CustodianAgency, PreviousHash = admitted.PreviousHash,
            Note = "brought" + lineBreak + "by the unit", Hash = admitted.Hash,
        };
        Assert.False(CustodyChain.Verify([captured, tampered]));
    }

    [Fact]
    public void Each_event_chains_to_the_one_before_and_the_chain_verifies()
    {
        var record = Opened(out var captured);
        var admitted = record.Admit(Kyiv, "UA-SBU", CapturedAt.AddDays(1), "brought by the unit", Now);

        Assert.Equal(2, admitted.Sequence);
        Assert.Equal(captured.Hash, admitted.PreviousHash);
        Assert.Equal(admitted.Hash, record.HeadHash);
        Assert.Equal(CustodyChain.Hash(admitted), admitted.Hash);
        Assert.True(CustodyChain.Verify([captured, admitted]));
        Assert.Equal(2, record.Version);
    }

    [Fact]
    public void An_altered_missing_or_reordered_event_breaks_the_chain()
    {
        var record = Opened(out var captured);
        var admitted = record.Admit(Kyiv, "UA-SBU", CapturedAt.AddDays(1), null, Now);
        var altered = new CustodyEvent
        {
            CaseId = admitted.CaseId, Sequence = admitted.Sequence, Kind = admitted.Kind, OccurredAt = admitted.OccurredAt.AddHours(1),
            RecordedAt = admitted.RecordedAt, FacilityName = admitted.FacilityName, FacilityLocality = admitted.FacilityLocality,
            FacilityCountry = admitted.FacilityCountry, CustodianAgency = admitted.CustodianAgency, PreviousHash = admitted.PreviousHash,
            Hash = admitted.Hash,
        };

        Assert.False(CustodyChain.Verify([captured, altered]));
        Assert.False(CustodyChain.Verify([admitted]));
        Assert.False(CustodyChain.Verify([admitted, captured]));
    }
}
