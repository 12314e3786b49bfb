namespace Registry.Intake.Domain;

/// <summary>
/// A case: one captured person, opened at capture. Identity facts beyond a name may be unknown
/// (GC III Art. 17 obliges a prisoner to give only surname, first names, rank, date of birth and
/// service number, and he may be unable to); every fact is an assertion with its source, and the
/// case holds the latest of each.
/// </summary>
public sealed class CaptureCase
{
    /// <summary>Sequential number, the source of the human-readable case number.</summary>
    public long Number { get; set; }
    public Guid CaseId { get; set; }
    /// <summary>The client's idempotency key and a hash of what it sent with it.</summary>
    public Guid RequestId { get; set; }
    public required byte[] RequestHash { get; set; }

    public PersonIdentity Identity { get; set; } = new();
    /// <summary>The names in both scripts, normalised for search (<see cref="NameSearch"/>).</summary>
    public string SearchText { get; set; } = "";
    /// <summary>The service number without separators or case (<see cref="DuplicateScoring.NormaliseNumber"/>), or null.</summary>
    public string? ServiceNumberKey { get; set; }
    /// <summary>
    /// The names in the original script and in Latin, normalised, as duplicate detection compares them
    /// (<see cref="DuplicateKeys"/>). Null only on cases stored before these columns existed and not changed since.
    /// </summary>
    public string? NameKey { get; set; }
    public string? LatinNameKey { get; set; }

    public DateTimeOffset CapturedAt { get; set; }
    public required string CapturePlace { get; set; }
    public double? CaptureLatitude { get; set; }
    public double? CaptureLongitude { get; set; }
    public required string CapturingUnit { get; set; }
    public required string CapturingAgency { get; set; }
    public string? CaptureCircumstances { get; set; }

    public StatusCategory StatusCategory { get; set; }
    public Guid? MergedIntoCaseId { get; set; }

    /// <summary>Increases with every change; also the optimistic-concurrency token.</summary>
    public long Revision { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public string CaseNumber => FormatCaseNumber(Number);

    /// <summary>What duplicate detection compares of this case.</summary>
    public DuplicateKeys DuplicateKeys => new(ServiceNumberKey, Identity.BirthYear, Identity.Nationality,
        NameKey ?? NameSearch.OriginalScript(Identity), LatinNameKey ?? NameSearch.Latin(Identity));

    public static string FormatCaseNumber(long number) => $"RC-{number:D6}";

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
            assertions.Add(new IdentityAssertion
            {
                CaseId = CaseId,
                Field = name,
                Value = value,
                SourceKind = source.Kind,
                DocumentType = source.DocumentType,
                DocumentNumber = source.DocumentNumber,
                ReportedBy = source.ReportedBy,
                Note = source.Note,
                RequiredByArticle17 = field.RequiredByArticle17,
                Revision = Revision,
                AssertedAt = now,
            });
        }

        SearchText = NameSearch.For(Identity);
        ServiceNumberKey = DuplicateScoring.ServiceNumberKey(Identity.ServiceNumber);
        NameKey = NameSearch.OriginalScript(Identity);
        LatinNameKey = NameSearch.Latin(Identity);
        return assertions;
    }

    /// <summary>What is wrong with asserting <paramref name="facts"/> on this case (field name, problem); empty when nothing.</summary>
    public IEnumerable<(string Field, string Problem)> CheckAssertion(IReadOnlyDictionary<string, string?> facts)
    {
        if (WouldLeaveNameless(facts))
        {
            yield return ("family_name", "the person would be left without a name in either script to be called by");
        }

        if (facts.TryGetValue("date_of_birth", out var birth) && PartialDate.Parse(birth) is { } date
            && date.Earliest > DateOnly.FromDateTime(CapturedAt.UtcDateTime))
        {
            yield return ("date_of_birth", "must not be after the capture");
        }
    }

    /// <summary>Whether asserting <paramref name="facts"/> would leave the person without any name to be called by.</summary>
    public bool WouldLeaveNameless(IReadOnlyDictionary<string, string?> facts)
    {
        var after = Identity.Copy();
        foreach (var (name, value) in facts)
        {
            IdentityFields.Find(name)?.Set(after, value);
        }

        return !after.HasName;
    }

    /// <summary>Records a status decision (Art. 5) and returns it.</summary>
    public StatusChange ChangeStatus(StatusCategory to, string decisionReference, string decidedBy, DateTimeOffset decidedAt, DateTimeOffset now)
    {
        EnsureOpen();
        Touch(now);
        var change = new StatusChange
        {
            CaseId = CaseId,
            From = StatusCategory,
            To = to,
            DecisionReference = decisionReference,
            DecidedBy = decidedBy,
            DecidedAt = decidedAt,
            RecordedAt = now,
            Revision = Revision,
        };
        StatusCategory = to;
        return change;
    }

    /// <summary>The first status, set at registration by the capturing unit.</summary>
    public StatusChange InitialStatus(StatusCategory category, DateTimeOffset now)
    {
        StatusCategory = category;
        return new StatusChange
        {
            CaseId = CaseId,
            From = null,
            To = category,
            DecisionReference = "registration",
            DecidedBy = CapturingAgency,
            DecidedAt = now,
            RecordedAt = now,
            Revision = Revision,
        };
    }

    public bool IsMerged => MergedIntoCaseId is not null;

    /// <summary>Why this case cannot be merged into <paramref name="survivor"/>, or null when it can.</summary>
    public string? MergeProblem(CaptureCase survivor) =>
        survivor.CaseId == CaseId ? "a case cannot be merged into itself"
        : IsMerged ? $"case {CaseNumber} was already merged into {MergedIntoCaseId}"
        : survivor.IsMerged ? $"case {survivor.CaseNumber} was itself merged into {survivor.MergedIntoCaseId}; merge into that case"
        : null;

    /// <summary>Makes this case point to <paramref name="survivor"/>, the person's record from now on. Nothing is deleted.</summary>
    public void MergeInto(CaptureCase survivor, DateTimeOffset now)
    {
        if (MergeProblem(survivor) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        Touch(now);
        survivor.Touch(now);
        MergedIntoCaseId = survivor.CaseId;
    }

    private void EnsureOpen()
    {
        if (IsMerged)
        {
            throw new CaseMergedException(this);
        }
    }

    private void Touch(DateTimeOffset now)
    {
        Revision++;
        UpdatedAt = now;
    }
}

/// <summary>A merged case takes no more changes: they belong on the case it was merged into.</summary>
public sealed class CaseMergedException(CaptureCase merged)
    : InvalidOperationException($"Case {merged.CaseNumber} was merged into {merged.MergedIntoCaseId}; change that case instead.")
{
    public CaptureCase Case { get; } = merged;
}
