using Registry.Intake.Domain.Linkage;
using Registry.ServiceDefaults.Domain;
using Registry.ServiceDefaults.Validation;

namespace Registry.Intake.Domain;

/// <summary>
/// A case: one captured person, opened at capture. Identity facts beyond a name may be unknown
/// (GC III Art. 17 obliges a prisoner to give only surname, first names, rank, date of birth and
/// service number, and he may be unable to); every fact is an assertion with its source, and the
/// case holds the latest of each.
/// </summary>
public sealed class CaptureCase
{
    /// <summary>The case as a resource type, naming it in errors.</summary>
    public const string ResourceType = "registry.intake.v1.Case";

    // Field limits, read by the validators and the EF configuration alike.
    public const int CapturePlaceMaxLength = 200;
    public const int CapturingUnitMaxLength = 200;
    public const int CapturingAgencyMaxLength = 200;
    public const int CaptureCircumstancesMaxLength = 4000;
    public const int SearchTextMaxLength = 4000;
    public const int AlsoKnownAsMaxLength = 2000;
    public const int ServiceNumberKeyMaxLength = 64;
    public const int NameKeyMaxLength = 500;
    public const int RequestHashLength = 32;

    private CaptureCase()
    {
    }

    /// <summary>Sequential number, the source of the human-readable case number.</summary>
    public long Number { get; private set; }
    public Guid CaseId { get; private set; }
    /// <summary>The client's idempotency key and a hash of what it sent with it.</summary>
    public Guid RequestId { get; private set; }
    public byte[] RequestHash { get; private set; } = [];

    public PersonIdentity Identity { get; private set; } = new();
    /// <summary>The same-script search tokens of the names in both scripts (<see cref="NameSearchKeys.Compact"/>).</summary>
    public string SearchText { get; private set; } = "";
    /// <summary>The cross-script search tokens (<see cref="NameSearchKeys.Cross"/>); null on a case not yet keyed (see <see cref="NameKeyVersion"/>).</summary>
    public string? SearchKey { get; private set; }
    /// <summary>
    /// The <see cref="Names.NameKeys.Version"/> that <see cref="SearchText"/>, <see cref="SearchKey"/>,
    /// <see cref="NameKey"/>, <see cref="LatinNameKey"/> and <see cref="ServiceNumberKey"/> were computed
    /// with; 0 on cases stored before keys were versioned. Older ones are rebuilt at start (<c>NameKeyRebuild</c>).
    /// </summary>
    public int NameKeyVersion { get; private set; }
    /// <summary>
    /// The names of the cases merged into this one (each "family given | latin family latin given", one per line),
    /// kept so that the person is found by every name any record of them had (<see cref="AbsorbNamesOf"/>); null when none.
    /// </summary>
    public string? AlsoKnownAs { get; private set; }
    /// <summary>The service number without separators or case (<see cref="DuplicateScoring.NormaliseNumber"/>), or null.</summary>
    public string? ServiceNumberKey { get; private set; }
    /// <summary>
    /// The names in the original script and in Latin as cross-script keys, as duplicate detection compares them
    /// (<see cref="DuplicateKeys"/>). Null only on cases stored before these columns existed and not rebuilt since.
    /// </summary>
    public string? NameKey { get; private set; }
    public string? LatinNameKey { get; private set; }
    /// <summary>The keys duplicate detection's blocking looks this case up by (<see cref="CaseBlockingKeys"/>).</summary>
    public CaseBlockingKeys BlockingKeys { get; private set; } = CaseBlockingKeys.Of(new PersonIdentity());

    public DateTimeOffset CapturedAt { get; private set; }
    public string CapturePlace { get; private set; } = "";
    public double? CaptureLatitude { get; private set; }
    public double? CaptureLongitude { get; private set; }
    public string CapturingUnit { get; private set; } = "";
    public string CapturingAgency { get; private set; } = "";
    public string? CaptureCircumstances { get; private set; }

    public StatusCategory StatusCategory { get; private set; }
    public Guid? MergedIntoCaseId { get; private set; }

    /// <summary>Increases with every change; also the optimistic-concurrency token.</summary>
    public long Revision { get; private set; }
    public DateTimeOffset RegisteredAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public string CaseNumber => FormatCaseNumber(Number);

    /// <summary>What duplicate detection compares of this case.</summary>
    public DuplicateKeys DuplicateKeys => NameKeyVersion == Names.NameKeys.Version && NameKey is not null && LatinNameKey is not null
        ? new(ServiceNumberKey, Identity.BirthYear, Identity.Nationality, NameKey, LatinNameKey)
        : DuplicateKeys.Of(Identity);

    public static string FormatCaseNumber(long number) => $"RC-{number:D6}";

    /// <summary>Opens a case at registration; identity facts and the first status follow (<see cref="Assert"/>, <see cref="InitialStatus"/>).</summary>
    public static CaptureCase Register(Guid requestId, byte[] requestHash, CaptureDetails capture, DateTimeOffset now) => new()
    {
        CaseId = Guid.CreateVersion7(now),
        RequestId = requestId,
        RequestHash = requestHash,
        CapturedAt = capture.CapturedAt,
        CapturePlace = capture.Place,
        CaptureLatitude = capture.Latitude,
        CaptureLongitude = capture.Longitude,
        CapturingUnit = capture.CapturingUnit,
        CapturingAgency = capture.CapturingAgency,
        CaptureCircumstances = capture.Circumstances,
        RegisteredAt = now,
        UpdatedAt = now,
    };

    /// <summary>
    /// Gives a case not yet stored the number the database allotted it ahead of a bulk insert (ImportCaptures on
    /// PostgreSQL: the next values of the cases' identity), instead of the number the insert would give.
    /// </summary>
    public void Allot(long number)
    {
        if (Number != 0)
        {
            throw new InvalidOperationException($"Case {CaseNumber} already has its number.");
        }

        Number = number;
    }

    /// <summary>
    /// Records what one source says about some identity facts and makes them the current values.
    /// Returns the new assertions (one per field, in the order given), all of the new revision.
    /// </summary>
    public IReadOnlyList<IdentityAssertion> Assert(IReadOnlyDictionary<string, string?> facts, AssertionSource source, DateTimeOffset now)
    {
        EnsureOpen();
        Touch(now);
        var assertions = new List<IdentityAssertion>(facts.Count);
        foreach (var (name, value) in facts)
        {
            var field = IdentityFields.Find(name) ?? throw new ArgumentException($"'{name}' is not an identity field.", nameof(facts));
            field.Set(Identity, value);
            assertions.Add(IdentityAssertion.Made(CaseId, field, value, source, Revision, now));
        }

        RefreshKeys();
        return assertions;
    }

    /// <summary>
    /// Computes the stored search and duplicate keys from the current identity with the current
    /// <see cref="Names.NameKeys.Version"/>. Not a change of the case: no revision. True when any key changed.
    /// </summary>
    public bool RefreshKeys()
    {
        var search = NameSearch.KeysOf(Identity, AliasNames);
        var serviceNumber = DuplicateScoring.ServiceNumberKey(Identity.ServiceNumber);
        var name = DuplicateKeys.OriginalNameKey(Identity);
        var latin = DuplicateKeys.LatinNameKeyOf(Identity);
        var blocking = CaseBlockingKeys.Of(Identity);
        var changed = SearchText != search.Compact || SearchKey != search.Cross || ServiceNumberKey != serviceNumber
                      || NameKey != name || LatinNameKey != latin || NameKeyVersion != Names.NameKeys.Version
                      || !blocking.SameAs(BlockingKeys);
        (SearchText, SearchKey, ServiceNumberKey, NameKey, LatinNameKey, NameKeyVersion) =
            (search.Compact, search.Cross, serviceNumber, name, latin, Names.NameKeys.Version);
        BlockingKeys = blocking;
        return changed;
    }

    /// <summary>The person's birth and capture: the bounds every other date about them keeps (<see cref="PersonDates"/>).</summary>
    public PersonDates Dates => new(Identity.DateOfBirth?.Range, CapturedAt);

    /// <summary>Whether asserting <paramref name="facts"/> would change any current value (an unchanged re-assertion changes nothing).</summary>
    public bool WouldChange(IReadOnlyDictionary<string, string?> facts) =>
        facts.Any(f => !string.Equals(IdentityFields.Find(f.Key)?.Get(Identity), f.Value, StringComparison.Ordinal));

    /// <summary>What is wrong with asserting <paramref name="facts"/> on this case (field name, problem); empty when nothing.</summary>
    public IEnumerable<(string Field, string Problem)> CheckAssertion(IReadOnlyDictionary<string, string?> facts)
    {
        var after = After(facts);
        if (!after.HasName)
        {
            yield return ("family_name", "the person would be left without a name in either script to be called by");
        }

        // The shared date rules (DateRules): born before the capture; in service after birth and before the capture.
        var birth = after.DateOfBirth?.Range;
        if (facts.ContainsKey("date_of_birth") && birth is { } born
            && new PersonDates(null, CapturedAt).LifeProblem(born) is { } birthProblem)
        {
            yield return ("date_of_birth", birthProblem);
        }

        if (DayRange.Parse(after.InServiceSince) is { } since && new PersonDates(birth, CapturedAt).LifeProblem(since) is { } serviceProblem)
        {
            if (facts.ContainsKey("in_service_since"))
            {
                yield return ("in_service_since", serviceProblem);
            }
            else if (facts.ContainsKey("date_of_birth"))
            {
                yield return ("date_of_birth", $"must not be after the date the person has been in service since ({after.InServiceSince})");
            }
        }
    }

    /// <summary>Whether asserting <paramref name="facts"/> would leave the person without any name to be called by.</summary>
    public bool WouldLeaveNameless(IReadOnlyDictionary<string, string?> facts) => !After(facts).HasName;

    private PersonIdentity After(IReadOnlyDictionary<string, string?> facts)
    {
        var after = Identity.Copy();
        foreach (var (name, value) in facts)
        {
            IdentityFields.Find(name)?.Set(after, value);
        }

        return after;
    }

    /// <summary>Records a status decision (Art. 5) and returns it.</summary>
    public StatusChange ChangeStatus(StatusCategory to, string decisionReference, string decidedBy, DateTimeOffset decidedAt, DateTimeOffset now)
    {
        EnsureOpen();
        Touch(now);
        var change = StatusChange.Decided(CaseId, StatusCategory, to, decisionReference, decidedBy, decidedAt, now, Revision);
        StatusCategory = to;
        return change;
    }

    /// <summary>The first status, set at registration by the capturing unit.</summary>
    public StatusChange InitialStatus(StatusCategory category, DateTimeOffset now)
    {
        StatusCategory = category;
        return StatusChange.Decided(CaseId, null, category, "registration", CapturingAgency, now, now, Revision);
    }

    public bool IsMerged => MergedIntoCaseId is not null;

    /// <summary>Makes this case point to <paramref name="survivor"/>, the person's record from now on. Nothing is deleted.</summary>
    public void MergeInto(CaptureCase survivor, DateTimeOffset now)
    {
        if (survivor.CaseId == CaseId)
        {
            throw new RuleViolationException("CASE_MERGE_INTO_ITSELF", ResourceType, Subject, $"Case {CaseNumber} cannot be merged into itself.");
        }

        EnsureOpen();
        survivor.EnsureOpen();
        Touch(now);
        survivor.Touch(now);
        survivor.AbsorbNamesOf(this);
        MergedIntoCaseId = survivor.CaseId;
    }

    /// <summary>
    /// Keeps <paramref name="merged"/>'s names (and those it had absorbed) as this case's "also known as" names and
    /// searches by them: the person is found by every name any of their records had. Names already kept are not
    /// repeated; when the list would pass <see cref="AlsoKnownAsMaxLength"/> the oldest names are kept.
    /// </summary>
    public void AbsorbNamesOf(CaptureCase merged)
    {
        var kept = AliasLines(AlsoKnownAs).ToList();
        var own = AliasLine(Identity);
        foreach (var line in AliasLines(merged.AlsoKnownAs).Prepend(AliasLine(merged.Identity)))
        {
            if (line.Length == 0 || line == own || kept.Contains(line, StringComparer.Ordinal)
                || kept.Sum(k => k.Length + 1) + line.Length > AlsoKnownAsMaxLength)
            {
                continue;
            }

            kept.Add(line);
        }

        AlsoKnownAs = kept.Count == 0 ? null : string.Join('\n', kept);
        RefreshKeys();
    }

    private static string AliasLine(PersonIdentity identity)
    {
        var original = string.Join(' ', new[] { identity.FamilyName, identity.GivenNames }.Where(n => !string.IsNullOrWhiteSpace(n)));
        var latin = string.Join(' ', new[] { identity.FamilyNameLatin, identity.GivenNamesLatin }.Where(n => !string.IsNullOrWhiteSpace(n)));
        return original.Length > 0 && latin.Length > 0 ? $"{original} | {latin}" : original + latin;
    }

    private static IEnumerable<string> AliasLines(string? aliases) =>
        aliases?.Split('\n', StringSplitOptions.RemoveEmptyEntries) ?? [];

    /// <summary>The kept "also known as" names, oldest first.</summary>
    public IReadOnlyList<string> AliasNames => AliasLines(AlsoKnownAs).ToList();

    /// <summary>Refuses to declare this case and <paramref name="other"/> different persons when one was merged into the other.</summary>
    public void EnsureNotMergedWith(CaptureCase other)
    {
        var (merged, survivor) = MergedIntoCaseId == other.CaseId ? (this, other) : other.MergedIntoCaseId == CaseId ? (other, this) : (null, null);
        if (merged is not null)
        {
            throw new RuleViolationException("CASE_MERGED", ResourceType, merged.Subject,
                $"Case {merged.CaseNumber} was merged into case {survivor!.CaseNumber} as the same person; they cannot be declared different persons.");
        }
    }

    /// <summary>The case as a resource name, e.g. in a rule's refusal.</summary>
    public string Subject => $"cases/{CaseId}";

    /// <summary>A merged case takes no more changes: they belong on the case it was merged into.</summary>
    public void EnsureOpen()
    {
        if (IsMerged)
        {
            throw new RuleViolationException("CASE_MERGED", ResourceType, Subject,
                $"Case {CaseNumber} was merged into case {MergedIntoCaseId}; record this on that case instead.");
        }
    }

    /// <summary>
    /// Issues the case's earliest capture card still owed (GC III Art. 70), with <paramref name="content"/>
    /// (the Annex IV card as it stands now); refused when the case is merged or owes no card.
    /// </summary>
    public CaptureCard IssueCaptureCard(CaptureCard? owed, string content, DateTimeOffset now)
    {
        EnsureOpen();
        if (owed is null || owed.CaseId != CaseId)
        {
            throw new RuleViolationException("NO_CAPTURE_CARD_DUE", ResourceType, Subject, $"No capture card of case {CaseNumber} is waiting to be issued.");
        }

        owed.Issue(content, now);
        return owed;
    }

    private void Touch(DateTimeOffset now)
    {
        Revision++;
        UpdatedAt = now;
    }
}
