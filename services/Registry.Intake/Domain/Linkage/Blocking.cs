namespace Registry.Intake.Domain.Linkage;

/// <summary>The blocking rules: any one of them lets a pair through to scoring.</summary>
public enum BlockingRule
{
    /// <summary>The same service-number key.</summary>
    ServiceNumber,
    /// <summary>The same whole-name key (any script, either order), birth years within one or either unknown.</summary>
    FullName,
    /// <summary>The same family key and given-name initial, birth years within one (a typo in the given name).</summary>
    FamilyAndInitial,
    /// <summary>The same given-name key and family initial, birth years within one (a typo or other spelling of the family name).</summary>
    GivenAndInitial,
}

/// <summary>
/// What a new case looks earlier cases up by, one set of values per rule (<see cref="BlockingRule"/>), each
/// matched against one indexed stored key (<see cref="CaseBlockingKeys"/>). The database
/// (Features/Duplicates/DuplicateQuery) and the benchmark's in-memory index (<see cref="BlockingIndex"/>)
/// both read this, so they select the same cases.
/// </summary>
public sealed record BlockingQuery(string? ServiceNumber, IReadOnlyList<string> FullKeys, IReadOnlyList<string> FamilyBlocks, IReadOnlyList<string> GivenBlocks, int? BirthYear)
{
    public bool IsEmpty => ServiceNumber is null && FullKeys.Count == 0;

    public static BlockingQuery For(LinkageRecord record)
    {
        var names = record.Names;
        var year = record.Birth?.Year;
        // A Cyrillic name is looked up by its plain keys and by its reading with г as "h" (PersonNameKeys.FamilyH:
        // Ukraine's passport spelling), so that "Гончаренко Олег" finds the stored "Honcharenko Oleh"; the other
        // way round, the stored Cyrillic name's h-reading is its FullKeyLatin (CaseBlockingKeys).
        // Keys cut as the stored ones are (CaseBlockingKeys.Cut): a very long name still meets its own kind.
        string[] family = [.. names.Family.Concat(names.FamilyH).Select(CaseBlockingKeys.Cut).Distinct()];
        string[] given = [.. names.Given.Concat(names.GivenH).Select(CaseBlockingKeys.Cut).Distinct()];
        var familyBlocks = year is null ? [] : family
            .SelectMany(f => given.Length == 0 ? [$"{f}/"] : given.Select(g => $"{f}/{g[0]}"))
            .Distinct().ToList();
        var givenBlocks = year is null ? [] : given
            .SelectMany(g => family.Length == 0 ? [$"{g}/"] : family.Select(f => $"{g}/{f[0]}"))
            .Distinct().ToList();
        var full = names.Full.Concat(names.FullH).Select(CaseBlockingKeys.Cut).Distinct().ToList();
        return new BlockingQuery(record.ServiceNumberKey, full, familyBlocks, givenBlocks, year);
    }

    /// <summary>Whether the full-name rule's birth years allow the pair: either unknown, or within one year.</summary>
    public bool FullNameYearAllows(int? other) => BirthYear is null || other is null || Math.Abs(BirthYear.Value - other.Value) <= 1;

    /// <summary>Whether the initial rules' birth years allow the pair: both known, within one year.</summary>
    public bool InitialYearAllows(int? other) => BirthYear is not null && other is not null && Math.Abs(BirthYear.Value - other.Value) <= 1;
}

/// <summary>
/// An in-memory index of records by their blocking keys: what the database's indexes do, for the
/// benchmark and for tests that compare the two.
/// </summary>
public sealed class BlockingIndex
{
    private readonly Dictionary<string, List<LinkageRecord>> _service = [];
    private readonly Dictionary<string, List<LinkageRecord>> _full = [];
    private readonly Dictionary<string, List<LinkageRecord>> _family = [];
    private readonly Dictionary<string, List<LinkageRecord>> _given = [];

    public void Add(LinkageRecord record)
    {
        Put(_service, record.ServiceNumberKey, record);
        Put(_full, record.Keys.FullKey, record);
        if (record.Keys.FullKeyLatin != record.Keys.FullKey)
        {
            Put(_full, record.Keys.FullKeyLatin, record);
        }

        Put(_family, record.Keys.FamilyBlock, record);
        Put(_given, record.Keys.GivenBlock, record);
    }

    /// <summary>The records the query lets through, each once, with the rules that let it through.</summary>
    public Dictionary<LinkageRecord, List<BlockingRule>> Select(BlockingQuery query, long excludeNumber)
    {
        var selected = new Dictionary<LinkageRecord, List<BlockingRule>>(ReferenceEqualityComparer.Instance);
        void Take(LinkageRecord r, BlockingRule rule)
        {
            if (r.Number == excludeNumber)
            {
                return;
            }

            if (!selected.TryGetValue(r, out var rules))
            {
                selected[r] = rules = [];
            }

            if (!rules.Contains(rule))
            {
                rules.Add(rule);
            }
        }

        if (query.ServiceNumber is { } number && _service.TryGetValue(number, out var same))
        {
            same.ForEach(r => Take(r, BlockingRule.ServiceNumber));
        }

        foreach (var key in query.FullKeys)
        {
            foreach (var r in _full.GetValueOrDefault(key) ?? [])
            {
                if (query.FullNameYearAllows(r.Keys.BirthYear))
                {
                    Take(r, BlockingRule.FullName);
                }
            }
        }

        foreach (var (keys, index, rule) in new[] { (query.FamilyBlocks, _family, BlockingRule.FamilyAndInitial), (query.GivenBlocks, _given, BlockingRule.GivenAndInitial) })
        {
            foreach (var key in keys)
            {
                foreach (var r in index.GetValueOrDefault(key) ?? [])
                {
                    if (query.InitialYearAllows(r.Keys.BirthYear))
                    {
                        Take(r, rule);
                    }
                }
            }
        }

        return selected;
    }

    private static void Put(Dictionary<string, List<LinkageRecord>> index, string? key, LinkageRecord record)
    {
        if (key is null)
        {
            return;
        }

        if (!index.TryGetValue(key, out var list))
        {
            index[key] = list = [];
        }

        list.Add(record);
    }
}
