using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Registry.Contracts;
using Registry.Medical.Data;
using Registry.Medical.Features.Certificates;
using Registry.Medical.Grpc;
using Registry.Protos.Medical.V1;
using Registry.ServiceDefaults.Security;
using Registry.Testing;
using UglyToad.PdfPig;

namespace Registry.Medical.Tests;

/// <summary>
/// Certificates of treatment (GC III Art. 30): issued by a medic on the prisoner's request, numbered by the store,
/// read, listed, and rendered as a PDF whose text is read back with PdfPig: the prisoner's copy in his language, the
/// registry's in English.
/// </summary>
public sealed class TreatmentCertificateTests(MedicalFixture medical) : IClassFixture<MedicalFixture>
{
    /// <summary>The seed story's capture (shared/seed/news-article.txt): Kursk region, 11 January 2025.</summary>
    private static readonly DateTimeOffset CapturedAt = new(2025, 1, 11, 6, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ExaminedAt = CapturedAt.AddDays(1);

    private MedicalService.MedicalServiceClient Medic => new(medical.Service.As("UA-SBU", RegistryRoles.Medic));

    /// <summary>The sniper of the seed story, born in 1999, as intake registers him: his name in Hangul and in Latin letters.</summary>
    private async Task<Guid> SniperAsync(string caseNumber = "RC-000002")
    {
        var caseId = Guid.NewGuid();
        await medical.Bus.Publisher.Publish(new CaseRegistered
        {
            CaseId = caseId,
            CaseNumber = caseNumber,
            FamilyName = "백",
            GivenNames = "광순",
            FamilyNameLatin = "Paek",
            GivenNamesLatin = "Kwang Sun",
            DateOfBirth = "1999",
            CapturedAt = CapturedAt,
            CapturePlace = "Kursk region",
            CapturingAgency = "UA-SSO",
            RegisteredAt = CapturedAt.AddHours(2),
            Languages = ["ko"],
        });
        await Eventually.TrueAsync(() => medical.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)),
            TimeSpan.FromSeconds(30), "the medical record");
        return caseId;
    }

    /// <summary>His face and jaw wounds from the grenade, found at the intake examination: the condition's id.</summary>
    private async Task<string> JawWoundsAsync(Guid caseId)
    {
        var examined = await Medic.RecordEncounterAsync(new RecordEncounterRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            CaseId = caseId.ToString(),
            Kind = EncounterKind.IntakeExamination,
            OccurredAt = Timestamp.FromDateTimeOffset(ExaminedAt),
            Place = "SBU detention facility medical unit, Kyiv",
            Clinician = "Olena Koval, military surgeon",
            Findings =
            {
                new ConditionFinding
                {
                    Kind = ConditionKind.Injury,
                    Description = "Fragment wounds of the lower face and jaw",
                    BodySite = "face, jaw",
                    Cause = "grenade detonated close to the face at capture",
                    Severity = Severity.Severe,
                },
            },
        });
        return examined.Conditions.Single().ConditionId;
    }

    private static IssueTreatmentCertificateRequest Certificate(Guid caseId, string conditionId, string language = "ko") => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        CaseId = caseId.ToString(),
        RequestedAt = Timestamp.FromDateTimeOffset(CapturedAt.AddDays(25)),
        ConditionIds = { conditionId },
        Treatment = "Surgical debridement and fixation of the mandible; antibiotics",
        TreatmentFrom = Timestamp.FromDateTimeOffset(ExaminedAt),
        TreatmentTo = Timestamp.FromDateTimeOffset(CapturedAt.AddDays(21)),
        Place = "SBU detention facility medical unit, Kyiv",
        MedicName = "Олена Коваль",
        MedicFunction = "military surgeon",
        Language = language,
    };

    private Task<int> StoredAsync(Guid caseId) => medical.QueryAsync(db => db.TreatmentCertificates.CountAsync(c => c.CaseId == caseId));

    /// <summary>Text without its white space: a reader joins the lines of a wrapped paragraph without one.</summary>
    private static string Flat(string text) => Regex.Replace(text, @"\s+", "");

    /// <summary>The text of each page of a PDF, as a reader extracts it.</summary>
    private static List<string> PagesOf(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return document.GetPages().Select(p => p.Text).ToList();
    }

    [Fact]
    public async Task The_sniper_gets_a_certificate_of_his_jaw_wounds_whose_korean_and_english_copies_read_back_from_the_pdf()
    {
        var caseId = await SniperAsync();
        var wounds = await JawWoundsAsync(caseId);
        var clientId = (await (await TestAuthority.GetAsync()).CredentialsAsync("UA-SBU", [RegistryRoles.Medic])).ClientId;

        var issued = (await Medic.IssueTreatmentCertificateAsync(Certificate(caseId, wounds))).Certificate;

        Assert.Matches(new Regex("^TC-[0-9]{6,}$"), issued.Number);
        Assert.Equal(("RC-000002", "백", "광순", "Paek", "Kwang Sun"),
            (issued.CaseNumber, issued.FamilyName, issued.GivenNames, issued.FamilyNameLatin, issued.GivenNamesLatin));
        Assert.Equal(["Fragment wounds of the lower face and jaw (face, jaw; grenade detonated close to the face at capture)"], issued.Conditions);
        Assert.Equal(("UA-SBU", clientId, "ko"), (issued.IssuedByAgency, issued.IssuedByClient, issued.Language));
        var read = (await Medic.GetTreatmentCertificateAsync(new GetTreatmentCertificateRequest { CertificateId = issued.CertificateId })).Certificate;
        Assert.Equal(issued, read);

        var rendered = await Medic.RenderTreatmentCertificateAsync(new RenderTreatmentCertificateRequest { CertificateId = issued.CertificateId });

        Assert.Equal(("application/pdf", $"{issued.Number}.pdf"), (rendered.ContentType, rendered.FileName));
        var pages = PagesOf(rendered.Content.ToByteArray());
        Assert.Equal(2, pages.Count);
        var (prisoners, registrys) = (pages[0], pages[1]);
        foreach (var expected in new[]
        {
            $"치료 증명서 {issued.Number}", "포로 보관용", "성명", "백 광순 (Paek Kwang Sun)", "RC-000002", "질병 또는 부상의 성격",
            "Fragment wounds of the lower face and jaw (face, jaw; grenade detonated close to the face at capture)",
            "치료 종류", "Surgical debridement and fixation of the mandible; antibiotics", "치료 기간", "2025-01-12 ~ 2025-02-01",
            "포로의 신청일", "2025-02-05", "발급 의료인", "Олена Коваль, military surgeon", $"UA-SBU, {clientId}",
        })
        {
            Assert.Contains(Flat(expected), Flat(prisoners));
        }

        foreach (var expected in new[]
        {
            $"Certificate of treatment {issued.Number}", "Registry copy", "Name", "백 광순 (Paek Kwang Sun)",
            "Nature of the illness or injury", "Fragment wounds of the lower face and jaw", "Duration of treatment",
            "2025-01-12 to 2025-02-01", "Issuing medic", "Олена Коваль, military surgeon",
        })
        {
            Assert.Contains(Flat(expected), Flat(registrys));
        }

        // Lines that fit read back exactly, spaces and all; the prisoner's copy has no English labels.
        Assert.Contains("백 광순 (Paek Kwang Sun)", prisoners);
        Assert.Contains("2025-01-12 ~ 2025-02-01", prisoners);
        Assert.Contains("Олена Коваль, military surgeon", registrys);
        Assert.DoesNotContain("Certificate of treatment", prisoners);
    }

    [Theory]
    [InlineData("en", "Certificate of treatment", "Prisoner's copy", "2025-01-12 to ongoing")]
    [InlineData("uk", "Довідка про лікування", "Примірник військовополоненого", "з 2025-01-12 по теперішній час")]
    [InlineData("ru-RU", "Справка о лечении", "Экземпляр военнопленного", "с 2025-01-12 по настоящее время")]
    [InlineData("ko-KP", "치료 증명서", "포로 보관용", "2025-01-12 ~ 치료 중")]
    public async Task The_prisoners_copy_is_in_the_language_asked_for_and_an_open_treatment_reads_ongoing(
        string language, string title, string copy, string duration)
    {
        var caseId = await SniperAsync();
        var wounds = await JawWoundsAsync(caseId);
        var request = Certificate(caseId, wounds, language);
        request.TreatmentTo = null;
        request.Nature = "Fractured mandible, healing";

        var issued = (await Medic.IssueTreatmentCertificateAsync(request)).Certificate;
        var rendered = await Medic.RenderTreatmentCertificateAsync(new RenderTreatmentCertificateRequest { CertificateId = issued.CertificateId });

        Assert.Equal(language[..2], issued.Language);
        Assert.Null(issued.TreatmentTo);
        var prisoners = PagesOf(rendered.Content.ToByteArray())[0];
        Assert.Contains($"{title} {issued.Number}", prisoners);
        Assert.Contains(copy, prisoners);
        Assert.Contains(duration, prisoners);
        Assert.Contains("Fractured mandible, healing", prisoners);
    }

    [Fact]
    public async Task A_retried_request_gets_the_same_certificate_and_number_and_a_reused_id_is_refused()
    {
        var caseId = await SniperAsync();
        var request = Certificate(caseId, await JawWoundsAsync(caseId));
        var first = await Medic.IssueTreatmentCertificateAsync(request);

        var retry = await medical.Client.IssueTreatmentCertificateAsync(request);

        Assert.True(retry.Replayed);
        Assert.False(first.Replayed);
        Assert.Equal(first.Certificate, retry.Certificate);
        var reused = request.Clone();
        reused.Treatment = "something else";
        var conflict = await Assert.ThrowsAsync<RpcException>(() => Medic.IssueTreatmentCertificateAsync(reused).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, conflict.StatusCode);
        Assert.Equal(1, await StoredAsync(caseId));
    }

    [Fact]
    public async Task Certificates_issued_at_once_get_distinct_numbers()
    {
        var cases = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => SniperAsync()));
        var wounds = await Task.WhenAll(cases.Select(JawWoundsAsync));

        // Eight at once, on one case and on others.
        var issued = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Medic.IssueTreatmentCertificateAsync(Certificate(cases[i % 3], wounds[i % 3])).ResponseAsync));

        var numbers = issued.Select(r => r.Certificate.Number).ToList();
        Assert.Equal(8, numbers.Distinct().Count());
        Assert.Equal(8, (await Task.WhenAll(cases.Select(StoredAsync))).Sum());
    }

    [Fact]
    public async Task A_cases_certificates_are_listed_in_the_order_issued_page_by_page()
    {
        var caseId = await SniperAsync();
        var other = await SniperAsync();
        var wounds = await JawWoundsAsync(caseId);
        await Medic.IssueTreatmentCertificateAsync(Certificate(other, await JawWoundsAsync(other)));
        var issued = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            issued.Add((await Medic.IssueTreatmentCertificateAsync(Certificate(caseId, wounds))).Certificate.Number);
        }

        var listed = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await Medic.ListTreatmentCertificatesAsync(new ListTreatmentCertificatesRequest { CaseId = caseId.ToString(), PageSize = 2, PageToken = token });
            listed.AddRange(page.Certificates.Select(c => c.Number));
            token = page.NextPageToken;
            pages++;
        }
        while (token != "");

        Assert.Equal(issued, listed);
        Assert.Equal(3, pages);
        var forged = await Assert.ThrowsAsync<RpcException>(() => Medic.ListTreatmentCertificatesAsync(
            new ListTreatmentCertificatesRequest { CaseId = caseId.ToString(), PageSize = 2, PageToken = "forged" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, forged.StatusCode);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => Medic.ListTreatmentCertificatesAsync(
            new ListTreatmentCertificatesRequest { CaseId = Guid.NewGuid().ToString(), PageSize = 2 }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    public static TheoryData<string, Action<IssueTreatmentCertificateRequest>> BadCertificates => new()
    {
        { "request_id", r => r.RequestId = "x" },
        { "case_id", r => r.CaseId = "" },
        { "requested_at", r => r.RequestedAt = null },
        { "requested_at", r => r.RequestedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(2)) },
        { "requested_at", r => r.RequestedAt = Timestamp.FromDateTimeOffset(CapturedAt.AddDays(-3)) },
        // Art. 30 certifies treatment received: not asked for before it began (treatment_from is ExaminedAt).
        { "requested_at", r => r.RequestedAt = Timestamp.FromDateTimeOffset(ExaminedAt.AddHours(-2)) },
        { "condition_ids[0]", r => r.ConditionIds[0] = "not-a-uuid" },
        { "condition_ids[1]", r => r.ConditionIds.Add(r.ConditionIds[0]) },
        { "condition_ids", r => r.ConditionIds.AddRange(Enumerable.Range(0, 20).Select(_ => Guid.NewGuid().ToString())) },
        { "nature", r => r.ConditionIds.Clear() },
        { "nature", r => r.Nature = new string('x', 2001) },
        { "nature", r => r.Nature = "wound\u2028jaw" },
        { "treatment", r => r.Treatment = " " },
        { "treatment", r => r.Treatment = "debridement\u202eantibiotics" },
        // Text the certificate fonts cannot print: a script neither has (Devanagari, Thai), an emoji, a right-to-left
        // script DejaVu has glyphs for (Hebrew, Arabic), an ideograph of a CJK block Nanum Gothic lacks (U+20000).
        { "treatment", r => r.Treatment = "Antibiotics (दवा)" },
        { "nature", r => r.Nature = "แผลที่ขากรรไกร" },
        { "medic_function", r => r.MedicFunction = "military surgeon \U0001FA7A" },
        { "place", r => r.Place = "בית חולים, Kyiv" },
        { "medic_name", r => r.MedicName = "عمر" },
        { "nature", r => r.Nature = "Wound \U00020000" },
        { "treatment_from", r => r.TreatmentFrom = null },
        { "treatment_from", r => r.TreatmentFrom = Timestamp.FromDateTimeOffset(new DateTimeOffset(1998, 6, 1, 0, 0, 0, TimeSpan.Zero)) },
        { "treatment_from", r => r.TreatmentFrom = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1)) },
        { "treatment_to", r => r.TreatmentTo = Timestamp.FromDateTimeOffset(ExaminedAt.AddDays(-1)) },
        { "treatment_to", r => r.TreatmentTo = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1)) },
        { "place", r => r.Place = "" },
        { "medic_name", r => r.MedicName = "" },
        { "medic_name", r => r.MedicName = new string('x', 201) },
        { "medic_function", r => r.MedicFunction = "" },
        { "language", r => r.Language = "" },
        { "language", r => r.Language = "not a tag" },
        { "language", r => r.Language = "kor" },
        { "language", r => r.Language = "de" },
    };

    [Theory]
    [MemberData(nameof(BadCertificates))]
    public async Task A_bad_request_names_the_field_and_stores_nothing(string field, Action<IssueTreatmentCertificateRequest> spoil)
    {
        var caseId = await SniperAsync();
        var request = Certificate(caseId, await JawWoundsAsync(caseId));
        spoil(request);

        var error = await Assert.ThrowsAsync<RpcException>(() => Medic.IssueTreatmentCertificateAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal(0, await StoredAsync(caseId));
    }

    [Theory]
    [InlineData("place", "Госпиталь בית חולים", "U+05D1 'ב' at 10", "right to left")]
    [InlineData("treatment", "Antibiotics (दवा)", "U+0926 'द' at 13", "DejaVu Sans, Nanum Gothic")]
    [InlineData("nature", "Wound \U00020000 of the jaw", "U+20000 '\U00020000' at 6", "DejaVu Sans, Nanum Gothic")]
    public async Task Text_the_certificate_cannot_print_is_refused_naming_the_first_such_character(
        string field, string text, string character, string why)
    {
        var caseId = await SniperAsync();
        var request = Certificate(caseId, await JawWoundsAsync(caseId));
        typeof(IssueTreatmentCertificateRequest).GetProperty(char.ToUpperInvariant(field[0]) + field[1..])!.SetValue(request, text);

        var error = await Assert.ThrowsAsync<RpcException>(() => Medic.IssueTreatmentCertificateAsync(request).ResponseAsync);

        var violation = Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations);
        Assert.Equal(field, violation.Field);
        Assert.Contains(character, violation.Description);
        Assert.Contains(why, violation.Description);
        Assert.Equal(0, await StoredAsync(caseId));
    }

    [Fact]
    public async Task Text_in_the_scripts_the_fonts_cover_is_accepted_and_each_character_drawn_with_the_font_that_has_it()
    {
        var caseId = await SniperAsync();
        var request = Certificate(caseId, await JawWoundsAsync(caseId));
        const string nature = "Złamanie żuchwy, перелом, κάταγμα, կոտրվածք, მოტეხილობა, 下顎骨 골절, カタカナ ひらがな, ½ ° ± №";
        request.Nature = nature;

        var issued = (await Medic.IssueTreatmentCertificateAsync(request)).Certificate;
        var rendered = await Medic.RenderTreatmentCertificateAsync(new RenderTreatmentCertificateRequest { CertificateId = issued.CertificateId });

        using var document = PdfDocument.Open(rendered.Content.ToByteArray());
        var page = document.GetPage(2);
        Assert.Contains(Flat(nature), Flat(page.Text));
        // Kana are Nanum Gothic's (DejaVu Sans has none: drawn with it they were empty boxes); Greek, Armenian, Georgian DejaVu's.
        foreach (var (letter, font) in new[] { ("カ", "Nanum"), ("ひ", "Nanum"), ("顎", "Nanum"), ("골", "Nanum"),
            ("κ", "DejaVu"), ("կ", "DejaVu"), ("მ", "DejaVu"), ("ż", "DejaVu") })
        {
            var drawn = page.Letters.Where(l => l.Value == letter).ToList();
            Assert.NotEmpty(drawn);
            Assert.All(drawn, l => Assert.Contains(font, l.FontName));
        }
    }

    [Fact]
    public async Task A_certificate_copies_the_records_name_so_the_store_tracks_no_shared_owned_instance()
    {
        var caseId = await SniperAsync();
        await using var scope = medical.Service.Services.CreateAsyncScope();
        // The warning EF logs when one owned instance (the record's name) is tracked under two owners (the record and the certificate).
        var options = new DbContextOptionsBuilder<MedicalDbContext>(scope.ServiceProvider.GetRequiredService<DbContextOptions<MedicalDbContext>>())
            .ConfigureWarnings(w => w.Throw(CoreEventId.DuplicateDependentEntityTypeInstanceWarning)).Options;
        await using var db = new MedicalDbContext(options);
        var record = await db.Records.SingleAsync(r => r.CaseId == caseId);
        var statement = new Registry.Medical.Domain.CertificateStatement(CapturedAt.AddDays(3), [], "Fractured mandible", "Fixation", ExaminedAt, null,
            "Kyiv", "Olena Koval", "military surgeon", "ko");

        var certificate = Registry.Medical.Domain.TreatmentCertificate.Issue(record, statement, [], ("UA-SBU", "medic-system"), DateTimeOffset.UtcNow);
        certificate.AnswersRequest(Guid.NewGuid(), new byte[32]);
        db.TreatmentCertificates.Add(certificate);
        await db.SaveChangesAsync();

        Assert.NotSame(record.Name, certificate.Name);
        Assert.Equal(record.Name, certificate.Name);
        Assert.Equal(1, await StoredAsync(caseId));
    }

    [Fact]
    public async Task A_language_without_labels_is_refused_naming_the_supported_ones()
    {
        var caseId = await SniperAsync();
        var request = Certificate(caseId, await JawWoundsAsync(caseId), "fr-FR");

        var error = await Assert.ThrowsAsync<RpcException>(() => Medic.IssueTreatmentCertificateAsync(request).ResponseAsync);

        var violation = Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations);
        Assert.Equal("language", violation.Field);
        Assert.Contains("en, ko, ru, uk", violation.Description);
    }

    [Fact]
    public async Task A_condition_of_another_case_is_refused_and_so_is_a_merged_case()
    {
        var caseId = await SniperAsync();
        var other = await SniperAsync();
        var othersWounds = await JawWoundsAsync(other);

        var foreign = await Assert.ThrowsAsync<RpcException>(() => Medic.IssueTreatmentCertificateAsync(Certificate(caseId, othersWounds)).ResponseAsync);
        RpcAssert.RuleViolation(foreign, "CONDITION_NOT_ON_RECORD", $"cases/{caseId}");

        // The other case's certificate moves with its record when intake merges it into this one; the merged case takes no more.
        var before = (await Medic.IssueTreatmentCertificateAsync(Certificate(other, othersWounds))).Certificate;
        await medical.Bus.Publisher.Publish(new CasesMerged
        {
            SurvivorCaseId = caseId, SurvivorCaseNumber = "RC-000002", MergedCaseId = other, MergedCaseNumber = "RC-000009",
            Reason = "same man", MergedAt = CapturedAt.AddDays(20),
        });
        await Eventually.TrueAsync(() => medical.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == other && r.MergedIntoCaseId == caseId)),
            TimeSpan.FromSeconds(60), "the merge applied");
        var merged = await Assert.ThrowsAsync<RpcException>(() => Medic.IssueTreatmentCertificateAsync(Certificate(other, othersWounds)).ResponseAsync);
        RpcAssert.RuleViolation(merged, "CASE_MERGED", $"cases/{other}");
        var listed = Assert.Single((await Medic.ListTreatmentCertificatesAsync(new ListTreatmentCertificatesRequest { CaseId = caseId.ToString(), PageSize = 10 })).Certificates);
        Assert.Equal((before.Number, caseId.ToString(), "RC-000002"), (listed.Number, listed.CaseId, listed.CaseNumber));
        Assert.Equal(1, await StoredAsync(caseId));
    }

    [Fact]
    public async Task An_unknown_certificate_or_case_is_not_found_and_a_bad_id_is_invalid()
    {
        var missing = await Assert.ThrowsAsync<RpcException>(() =>
            Medic.GetTreatmentCertificateAsync(new GetTreatmentCertificateRequest { CertificateId = Guid.NewGuid().ToString() }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        var unrendered = await Assert.ThrowsAsync<RpcException>(() =>
            Medic.RenderTreatmentCertificateAsync(new RenderTreatmentCertificateRequest { CertificateId = Guid.NewGuid().ToString() }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unrendered.StatusCode);
        var bad = await Assert.ThrowsAsync<RpcException>(() =>
            Medic.RenderTreatmentCertificateAsync(new RenderTreatmentCertificateRequest { CertificateId = "TC-000001" }).ResponseAsync);
        Assert.Equal("certificate_id", Assert.Single(bad.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field);
        var noCase = await Assert.ThrowsAsync<RpcException>(() =>
            Medic.IssueTreatmentCertificateAsync(Certificate(Guid.NewGuid(), Guid.NewGuid().ToString())).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, noCase.StatusCode);
    }

    [Fact]
    public async Task Only_a_medic_issues_reads_lists_or_renders_certificates()
    {
        var caseId = await SniperAsync();
        var issued = (await Medic.IssueTreatmentCertificateAsync(Certificate(caseId, await JawWoundsAsync(caseId)))).Certificate;
        foreach (var role in RegistryRoles.All.Where(r => r != RegistryRoles.Medic))
        {
            var client = new MedicalService.MedicalServiceClient(medical.Service.As("UA-SBU", role));
            var calls = new Func<Task>[]
            {
                () => client.IssueTreatmentCertificateAsync(Certificate(caseId, issued.ConditionIds[0])).ResponseAsync,
                () => client.GetTreatmentCertificateAsync(new GetTreatmentCertificateRequest { CertificateId = issued.CertificateId }).ResponseAsync,
                () => client.ListTreatmentCertificatesAsync(new ListTreatmentCertificatesRequest { CaseId = caseId.ToString(), PageSize = 10 }).ResponseAsync,
                () => client.RenderTreatmentCertificateAsync(new RenderTreatmentCertificateRequest { CertificateId = issued.CertificateId }).ResponseAsync,
            };
            foreach (var call in calls)
            {
                var denied = await Assert.ThrowsAsync<RpcException>(call);
                Assert.True(denied.StatusCode == StatusCode.PermissionDenied, $"{role}: {denied.Status}");
            }
        }

        Assert.Equal(1, await StoredAsync(caseId));
    }
}

/// <summary>A medical service whose font folders lack Nanum Gothic (fonts-nanum): only DejaVu's.</summary>
public sealed class MedicalWithoutHangulFont() : ServiceFixture<MedicalGrpcService, MedicalDbContext>("Medical")
{
    public MedicalService.MedicalServiceClient Client => new(Service.Channel);

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        [CertificateFonts.FontPathKey] = "/usr/share/fonts/truetype/dejavu",
    };
}

/// <summary>A font the text needs and the server lacks: FAILED_PRECONDITION naming the file and its package; what it has suffices for the rest.</summary>
public sealed class CertificateFontTests(MedicalWithoutHangulFont medical) : IClassFixture<MedicalWithoutHangulFont>
{
    private async Task<string> IssuedAsync(string familyName, string language)
    {
        var caseId = Guid.NewGuid();
        var capturedAt = new DateTimeOffset(2025, 1, 11, 6, 30, 0, TimeSpan.Zero);
        await medical.Bus.Publisher.Publish(new CaseRegistered
        {
            CaseId = caseId, CaseNumber = "RC-000001", FamilyName = familyName, GivenNames = "", CapturedAt = capturedAt,
            CapturePlace = "Kursk region", CapturingAgency = "UA-SSO", RegisteredAt = capturedAt.AddHours(2),
        });
        await Eventually.TrueAsync(() => medical.QueryAsync(db => db.Records.AnyAsync(r => r.CaseId == caseId)), TimeSpan.FromSeconds(30), "the medical record");
        var issued = await medical.Client.IssueTreatmentCertificateAsync(new IssueTreatmentCertificateRequest
        {
            RequestId = Guid.NewGuid().ToString(), CaseId = caseId.ToString(), RequestedAt = Timestamp.FromDateTimeOffset(capturedAt.AddDays(3)),
            Nature = "Fractured mandible", Treatment = "Fixation", TreatmentFrom = Timestamp.FromDateTimeOffset(capturedAt.AddDays(1)),
            Place = "Kyiv", MedicName = "Olena Koval", MedicFunction = "military surgeon", Language = language,
        });
        return issued.Certificate.CertificateId;
    }

    [Fact]
    public async Task A_korean_copy_without_the_hangul_font_is_refused_naming_the_font_and_a_russian_one_renders()
    {
        var korean = await IssuedAsync("Paek", "ko");

        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            medical.Client.RenderTreatmentCertificateAsync(new RenderTreatmentCertificateRequest { CertificateId = korean }).ResponseAsync);

        RpcAssert.RuleViolation(refused, "FONT_MISSING", $"certificates/{korean}");
        Assert.Contains("NanumGothic", refused.Status.Detail);
        Assert.Contains("fonts-nanum", refused.Status.Detail);

        var russian = await IssuedAsync("Пак", "ru");
        var rendered = await medical.Client.RenderTreatmentCertificateAsync(new RenderTreatmentCertificateRequest { CertificateId = russian });
        using var document = PdfDocument.Open(rendered.Content.ToByteArray());
        Assert.Contains("Справка о лечении", document.GetPage(1).Text);
    }
}
