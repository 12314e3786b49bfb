using System.Text.RegularExpressions;
using Registry.Intake.Domain;
using Registry.Intake.Features.Duplicates;
using Registry.ServiceDefaults.Grpc;
using Proto = Registry.Protos.Intake.V1;

namespace Registry.Intake.Tests;

/// <summary>
/// The contract (protos/registry/intake/v1/intake.proto) and the domain say the same: the limits its
/// comments state are the constants validators and the EF configuration use, and every domain enum cast
/// to a contract enum (or back) keeps each value's number and name.
/// </summary>
public sealed partial class ContractAlignmentTests
{
    /// <summary>Fields with a limit in the domain, the pattern a comment states it with, and the constant.</summary>
    public static TheoryData<string, string, int> Limits => new()
    {
        { "RegisterCaptureResponse.duplicate_candidates", @"at most (\d+)\)", DuplicateFinder.MaxCandidates },
        { "UpdateIdentityResponse.duplicate_candidates", @"at most (\d+)\)", DuplicateFinder.MaxCandidates },
        { "SearchCasesRequest.page_size", @"1 to (\d+)", PageTokens.MaxPageSize },
        { "ListIdentityAssertionsRequest.page_size", @"1 to (\d+)", PageTokens.MaxPageSize },
        { "ListStatusChangesRequest.page_size", @"1 to (\d+)", PageTokens.MaxPageSize },
        { "ListPersonalEffectsRequest.page_size", @"1 to (\d+)", PageTokens.MaxPageSize },
        { "ListDuplicateCandidatesRequest.page_size", @"1 to (\d+)", PageTokens.MaxPageSize },
        { "ListOverdueRequest.page_size", @"1 to (\d+)", PageTokens.MaxPageSize },
        { "RecordPersonalEffectsRequest.items", @"1 to (\d+) items", PersonalEffect.MaxItemsPerReceipt },
    };

    /// <summary>Text fields and the constant limiting their length; a comment stating "at most N characters" must say the same.</summary>
    private static readonly Dictionary<string, int> TextLimits = new()
    {
        ["CaptureEvent.place"] = CaptureCase.CapturePlaceMaxLength,
        ["CaptureEvent.capturing_unit"] = CaptureCase.CapturingUnitMaxLength,
        ["CaptureEvent.capturing_agency"] = CaptureCase.CapturingAgencyMaxLength,
        ["CaptureEvent.circumstances"] = CaptureCase.CaptureCircumstancesMaxLength,
        ["Identity.family_name"] = PersonIdentity.NameMaxLength,
        ["Identity.given_names"] = PersonIdentity.NameMaxLength,
        ["Identity.family_name_latin"] = PersonIdentity.NameMaxLength,
        ["Identity.given_names_latin"] = PersonIdentity.NameMaxLength,
        ["Identity.rank"] = PersonIdentity.RankMaxLength,
        ["Identity.service_number"] = PersonIdentity.ServiceNumberMaxLength,
        ["Identity.place_of_birth"] = PersonIdentity.PlaceOfBirthMaxLength,
        ["Identity.military_unit"] = PersonIdentity.MilitaryUnitMaxLength,
        ["Identity.role"] = PersonIdentity.RoleMaxLength,
        ["Identity.father_first_name"] = PersonIdentity.NameMaxLength,
        ["Identity.mother_maiden_name"] = PersonIdentity.NameMaxLength,
        ["Identity.person_to_inform"] = PersonIdentity.PersonToInformMaxLength,
        ["Identity.person_to_inform_address"] = PersonIdentity.PersonToInformAddressMaxLength,
        ["AssertionSource.document_type"] = AssertionSource.DocumentTypeMaxLength,
        ["AssertionSource.document_number"] = AssertionSource.DocumentNumberMaxLength,
        ["AssertionSource.reported_by"] = AssertionSource.ReportedByMaxLength,
        ["AssertionSource.note"] = AssertionSource.NoteMaxLength,
        ["ChangeStatusCategoryRequest.decision_reference"] = StatusChange.DecisionReferenceMaxLength,
        ["ChangeStatusCategoryRequest.decided_by"] = StatusChange.DecidedByMaxLength,
        ["RecordPersonalEffectsRequest.receipt_number"] = PersonalEffect.ReceiptNumberMaxLength,
        ["PersonalEffect.description"] = PersonalEffect.DescriptionMaxLength,
        ["EffectTaker.name"] = PersonalEffect.TakenByNameMaxLength,
        ["EffectTaker.rank"] = PersonalEffect.TakenByRankMaxLength,
        ["EffectTaker.unit"] = PersonalEffect.TakenByUnitMaxLength,
        ["RecordPersonalEffectFateRequest.fate_note"] = PersonalEffect.FateNoteMaxLength,
        ["MergeCasesRequest.reason"] = DuplicateCandidate.ResolutionNoteMaxLength,
        ["MarkNotDuplicateRequest.reason"] = DuplicateCandidate.ResolutionNoteMaxLength,
        ["SearchCasesRequest.name"] = PersonIdentity.NameMaxLength,
        ["SearchCasesRequest.service_number"] = PersonIdentity.ServiceNumberMaxLength,
        ["SearchCasesRequest.capturing_agency"] = CaptureCase.CapturingAgencyMaxLength,
    };

    /// <summary>Each domain enum cast to a contract enum (mappings) or back (validators), by the contract enum's name.</summary>
    private static readonly Dictionary<string, (Type Domain, Type Contract)> EnumPairs = new()
    {
        ["StatusCategory"] = (typeof(StatusCategory), typeof(Proto.StatusCategory)),
        ["SourceKind"] = (typeof(SourceKind), typeof(Proto.SourceKind)),
        ["EffectFate"] = (typeof(EffectFate), typeof(Proto.EffectFate)),
        ["DuplicateStatus"] = (typeof(DuplicateStatus), typeof(Proto.DuplicateStatus)),
        ["CaptureCardReason"] = (typeof(CaptureCardReason), typeof(Proto.CaptureCardReason)),
        ["NotificationKind"] = (typeof(NotificationKind), typeof(Proto.NotificationKind)),
    };

    /// <summary>Domain values whose contract name differs on purpose: the contract's UNSPECIFIED means "not recorded".</summary>
    private static readonly Dictionary<Enum, string> Renamed = new() { [SourceKind.Unrecorded] = "Unspecified" };

    [Theory]
    [MemberData(nameof(Limits))]
    public void A_limit_the_contract_states_is_the_domains(string field, string pattern, int limit)
    {
        var comment = Fields()[field];

        var stated = Regex.Match(comment, pattern);

        Assert.True(stated.Success, $"{field}: its comment \"{comment}\" does not state the limit ({pattern})");
        Assert.Equal(limit, int.Parse(stated.Groups[1].Value));
    }

    [Fact]
    public void Every_length_the_contract_states_is_the_domains_and_every_stated_limit_is_checked_here()
    {
        var stated = Fields().Where(f => Limited().IsMatch(f.Value)).ToDictionary(f => f.Key, f => f.Value);
        var checkedHere = Limits.Select(row => (string)row[0]).ToHashSet();

        Assert.All(stated, f =>
        {
            Assert.True(checkedHere.Contains(f.Key) || TextLimits.ContainsKey(f.Key), $"{f.Key} states a limit (\"{f.Value}\") no test compares with the domain");
            if (CharacterLimit().Match(f.Value) is { Success: true } characters)
            {
                Assert.Equal(TextLimits[f.Key], int.Parse(characters.Groups[1].Value));
            }
        });
        // Every field named here exists in the contract (a renamed field would leave its limit unchecked).
        Assert.All(TextLimits.Keys, f => Assert.True(Fields().ContainsKey(f), $"{f} is not a field of intake.proto"));
    }

    [Fact]
    public void Every_domain_enum_cast_to_a_contract_enum_keeps_each_values_number_and_name()
    {
        foreach (var (domain, contract) in EnumPairs.Values)
        {
            foreach (Enum value in Enum.GetValues(domain))
            {
                var number = Convert.ToInt32(value);
                Assert.True(Enum.IsDefined(contract, number), $"{domain.Name}.{value} ({number}) has no value in {contract.FullName}");
                Assert.Equal(Renamed.GetValueOrDefault(value, value.ToString()), Enum.GetName(contract, number));
            }

            // And back: every contract value but UNSPECIFIED is a domain value (validators cast it).
            foreach (Enum value in Enum.GetValues(contract))
            {
                var number = Convert.ToInt32(value);
                Assert.True(number == 0 || Enum.IsDefined(domain, number), $"{contract.FullName}.{value} ({number}) has no value in {domain.FullName}");
            }
        }
    }

    [Fact]
    public void Every_enum_cast_in_the_intake_service_is_of_a_pair_checked_here()
    {
        var casts = Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), "services", "Registry.Intake"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains("Migrations"))
            .SelectMany(f => EnumCast().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value.Split('.')[^1]))
            .Select(name => name == "ProtoStatus" ? "StatusCategory" : name) // CaseMapping's alias
            .ToHashSet();

        Assert.NotEmpty(casts);
        Assert.All(casts, name => Assert.True(EnumPairs.ContainsKey(name), $"({name})(int) is cast in intake but its values are not compared here"));
    }

    /// <summary>Every field of intake.proto as "Message.field", with the comment lines just above it.</summary>
    private static Dictionary<string, string> Fields()
    {
        var fields = new Dictionary<string, string>();
        string? message = null;
        var comment = new List<string>();
        foreach (var raw in File.ReadLines(Path.Combine(RepositoryRoot(), "protos", "registry", "intake", "v1", "intake.proto")))
        {
            var line = raw.Trim();
            if (line.StartsWith("//", StringComparison.Ordinal))
            {
                comment.Add(line[2..].Trim());
                continue;
            }

            if (MessageStart().Match(line) is { Success: true } start)
            {
                message = start.Groups[1].Value;
            }
            else if (message is not null && FieldLine().Match(line) is { Success: true } field)
            {
                fields[$"{message}.{field.Groups[1].Value}"] = string.Join(" ", comment);
            }
            else if (line == "}")
            {
                message = null;
            }

            comment.Clear();
        }

        return fields;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !Directory.Exists(Path.Combine(directory.FullName, "protos")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("No protos/ above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^message (\w+) \{")]
    private static partial Regex MessageStart();

    [GeneratedRegex(@"^(?:repeated )?[\w.]+ (\w+) = \d+;")]
    private static partial Regex FieldLine();

    [GeneratedRegex(@"at most \d+|\b1 to \d+")]
    private static partial Regex Limited();

    [GeneratedRegex(@"at most (\d+) characters")]
    private static partial Regex CharacterLimit();

    [GeneratedRegex(@"\(([\w.]+)\)\(int\)")]
    private static partial Regex EnumCast();
}
