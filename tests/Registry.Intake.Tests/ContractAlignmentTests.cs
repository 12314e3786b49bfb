using System.Text.RegularExpressions;
using Registry.Intake.Domain;
using Registry.Intake.Features.Duplicates;
using Registry.ServiceDefaults.Grpc;
using Registry.Testing;
using Proto = Registry.Protos.Intake.V1;

namespace Registry.Intake.Tests;

/// <summary>
/// The contract (protos/registry/intake/v1/intake.proto) and the domain say the same: the limits its
/// comments state are the constants validators and the EF configuration use, and every domain enum cast
/// to a contract enum (or back) keeps each value's number and name.
/// </summary>
public sealed partial class ContractAlignmentTests
{
    /// <summary>Every field the domain limits (length, count or page size) and the constant that limits it.</summary>
    private static readonly Dictionary<string, int> Limits = new()
    {
        ["RegisterCaptureResponse.duplicate_candidates"] = DuplicateFinder.MaxCandidates,
        ["ImportCapturesRequest.rows"] = Registry.Intake.Features.Import.ImportCapturesValidator.MaxRows,
        ["ImportRowResult.duplicate_candidates"] = DuplicateFinder.MaxCandidates,
        ["UpdateIdentityResponse.duplicate_candidates"] = DuplicateFinder.MaxCandidates,
        ["SearchCasesRequest.page_size"] = PageTokens.MaxPageSize,
        ["ListIdentityAssertionsRequest.page_size"] = PageTokens.MaxPageSize,
        ["ListStatusChangesRequest.page_size"] = PageTokens.MaxPageSize,
        ["ListPersonalEffectsRequest.page_size"] = PageTokens.MaxPageSize,
        ["ListDuplicateCandidatesRequest.page_size"] = PageTokens.MaxPageSize,
        ["ListDuplicateDecisionsRequest.page_size"] = PageTokens.MaxPageSize,
        ["ListOverdueRequest.page_size"] = PageTokens.MaxPageSize,
        ["RecordPersonalEffectsRequest.items"] = PersonalEffect.MaxItemsPerReceipt,
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
        ["ReopenDuplicateDecisionRequest.reason"] = DuplicateCandidate.ResolutionNoteMaxLength,
        ["SearchCasesRequest.name"] = PersonIdentity.NameMaxLength,
        ["SearchCasesRequest.service_number"] = PersonIdentity.ServiceNumberMaxLength,
        ["SearchCasesRequest.capturing_agency"] = CaptureCase.CapturingAgencyMaxLength,
        ["ShareCaseRequest.partner_agency"] = CaseShare.AgencyMaxLength,
        ["ShareCaseRequest.purpose"] = CaseShare.PurposeMaxLength,
        ["ShareCaseRequest.valid_until"] = CaseShare.MaxValidityDays,
        ["RevokeShareRequest.reason"] = CaseShare.ReasonMaxLength,
        ["ListSharesRequest.page_size"] = PageTokens.MaxPageSize,
        ["ListSharedCasesRequest.page_size"] = PageTokens.MaxPageSize,
    };

    /// <summary>Each domain enum cast to a contract enum (mappings) or back (validators), by the contract enum's name.</summary>
    private static readonly Dictionary<string, (Type Domain, Type Contract)> EnumPairs = new()
    {
        ["StatusCategory"] = (typeof(StatusCategory), typeof(Proto.StatusCategory)),
        ["SourceKind"] = (typeof(SourceKind), typeof(Proto.SourceKind)),
        ["EffectFate"] = (typeof(EffectFate), typeof(Proto.EffectFate)),
        ["DuplicateStatus"] = (typeof(DuplicateStatus), typeof(Proto.DuplicateStatus)),
        ["ComparisonLevel"] = (typeof(Registry.Intake.Domain.Linkage.ComparisonLevel), typeof(Proto.ComparisonLevel)),
        ["CaptureCardReason"] = (typeof(CaptureCardReason), typeof(Proto.CaptureCardReason)),
        ["NotificationKind"] = (typeof(NotificationKind), typeof(Proto.NotificationKind)),
    };

    /// <summary>Domain values whose contract name differs on purpose: the contract's UNSPECIFIED means "not recorded".</summary>
    private static readonly Dictionary<Enum, string> Renamed = new() { [SourceKind.Unrecorded] = "Unspecified" };

    [Fact]
    public void The_limits_intake_proto_states_are_the_ones_the_domain_enforces() =>
        ContractChecks.AssertStatedLimits("protos/registry/intake/v1/intake.proto", Limits);

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
        var casts = Directory.EnumerateFiles(Path.Combine(ContractChecks.RepositoryRoot(), "services", "Registry.Intake"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains("Migrations"))
            .SelectMany(f => EnumCast().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value.Split('.')[^1]))
            .Select(name => name == "ProtoStatus" ? "StatusCategory" : name) // CaseMapping's alias
            .ToHashSet();

        Assert.NotEmpty(casts);
        Assert.All(casts, name => Assert.True(EnumPairs.ContainsKey(name), $"({name})(int) is cast in intake but its values are not compared here"));
    }

    [GeneratedRegex(@"\(([\w.]+)\)\(int\)")]
    private static partial Regex EnumCast();
}
