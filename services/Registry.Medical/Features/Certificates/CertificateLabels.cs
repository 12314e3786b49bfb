using Registry.Medical.Domain;

namespace Registry.Medical.Features.Certificates;

/// <summary>
/// The printed labels of a certificate of treatment in each language of <see cref="CertificateLanguages"/>. The wording
/// follows GC III Art. 30 in the Convention's English text ("the nature of his illness or injury, and the duration and
/// kind of treatment received"); the dates are printed as ISO 8601 (YYYY-MM-DD), the same in every language.
/// </summary>
public sealed record CertificateLabels(
    string Title,
    string Basis,
    string PrisonerCopy,
    string RegistryCopy,
    string Number,
    string Case,
    string Name,
    string RequestedAt,
    string Nature,
    string Treatment,
    string Duration,
    string FromTo,
    string Ongoing,
    string Place,
    string Medic,
    string IssuedThrough,
    string IssuedAt,
    string Signature,
    string NotRecorded)
{
    public static readonly CertificateLabels English = new(
        "Certificate of treatment", "Third Geneva Convention, Article 30", "Prisoner's copy", "Registry copy",
        "Certificate number", "Case number", "Name", "Requested by the prisoner on", "Nature of the illness or injury",
        "Kind of treatment", "Duration of treatment", "{0} to {1}", "ongoing", "Place", "Issuing medic",
        "Issued through (agency, system)", "Date of issue", "Signature", "not recorded");

    public static readonly CertificateLabels Ukrainian = new(
        "Довідка про лікування", "Третя Женевська конвенція, стаття 30", "Примірник військовополоненого", "Примірник реєстру",
        "Номер довідки", "Номер справи", "Прізвище та ім'я", "Дата звернення військовополоненого", "Характер захворювання або поранення",
        "Вид лікування", "Тривалість лікування", "з {0} по {1}", "теперішній час", "Місце", "Лікар, який видав довідку",
        "Видано через (установа, система)", "Дата видачі", "Підпис", "не зазначено");

    public static readonly CertificateLabels Russian = new(
        "Справка о лечении", "Третья Женевская конвенция, статья 30", "Экземпляр военнопленного", "Экземпляр реестра",
        "Номер справки", "Номер дела", "Фамилия и имя", "Дата обращения военнопленного", "Характер заболевания или ранения",
        "Вид лечения", "Продолжительность лечения", "с {0} по {1}", "настоящее время", "Место", "Врач, выдавший справку",
        "Выдано через (учреждение, система)", "Дата выдачи", "Подпись", "не указано");

    public static readonly CertificateLabels Korean = new(
        "치료 증명서", "제3 제네바 협약 제30조", "포로 보관용", "등록부 보관용",
        "증명서 번호", "사건 번호", "성명", "포로의 신청일", "질병 또는 부상의 성격",
        "치료 종류", "치료 기간", "{0} ~ {1}", "치료 중", "장소", "발급 의료인",
        "발급 경로 (기관, 시스템)", "발급일", "서명", "기록 없음");

    /// <summary>The labels of an ISO 639-1 code of <see cref="CertificateLanguages.Supported"/>.</summary>
    public static CertificateLabels For(string language) => language switch
    {
        "en" => English,
        "uk" => Ukrainian,
        "ru" => Russian,
        "ko" => Korean,
        _ => throw new ArgumentOutOfRangeException(nameof(language), language, "no labels in this language"),
    };
}
