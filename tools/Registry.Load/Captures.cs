using System.Text;
using Google.Protobuf.WellKnownTypes;
using Registry.Protos.Common.V1;
using Registry.Protos.Intake.V1;

namespace Registry.Load;

/// <summary>
/// Realistic RegisterCapture requests: the persons a registry of this war meets — Russian servicemen
/// (Cyrillic, with the Latin spelling of their documents), North Korean soldiers (Hangul, with the
/// DPRK romanisation), Central Asian, Cuban, Nepali and Syrian recruits — each with his own name drawn
/// from common names and their frequencies, a partly known date of birth, mostly a service number, a
/// capture in the last weeks, and a unique request_id. About one registration in fifty is a person
/// registered before, again, by another agency that spelt his name in Latin its own way: duplicate
/// detection has real work, but a registry of 100,000 cases holds 100,000 mostly different people.
/// (An earlier version drew from twelve persons, so every registration resembled one in 384 of all
/// earlier cases: at 100,000 cases each one raised hundreds of duplicate candidates.)
/// </summary>
public static class Captures
{
    /// <summary>A person as registered: names in the original script and in Latin (empty when the original is Latin).</summary>
    public sealed record Person(string Family, string Given, string FamilyLatin, string GivenLatin, string Nationality, int BirthYear);

    // Frequencies roughly as in the population (per mille of the nationality's registrations).
    private static readonly (string Nationality, int PerMille)[] Nationalities =
        [("RU", 680), ("KP", 150), ("UZ", 50), ("BY", 30), ("CU", 30), ("NP", 30), ("SY", 30)];

    private static readonly string[] RussianFamilies =
    [
        "Смирнов", "Иванов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров",
        "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев",
        "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев",
        "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв",
        "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев", "Антонов", "Тарасов",
        "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов", "Сидоров",
        "Матвеев", "Титов", "Марков", "Миронов", "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов",
    ];

    /// <summary>How the load generator draws Russian family names (<c>--names</c>).</summary>
    public enum NameDistribution
    {
        /// <summary>
        /// As in the population: the 70 commonest names above with falling frequencies (the first, Smirnov, 1.9 % of
        /// Russian men; weight ∝ rank^-0.5, which puts Ivanov at 1.3 %, the 10th at 0.6 % and the 70th at 0.2 %, near the
        /// published counts), together 28 % of the names; the other 72 % from a long tail of 20,000 rarer names, built
        /// from Russian syllables and endings with a fixed seed. The registry's blocks by family name then have the sizes a real list's
        /// would.
        /// </summary>
        Census,

        /// <summary>
        /// The 70 names alone, each equally likely (until issue 15's million-case run, the only way): every family name
        /// is nearly as common as the commonest real one (1.4 % against Smirnov's 1.9 %), so duplicate detection's blocks by
        /// family name are about eight times a real list's (Σp² 0.0143 against 0.0017); a worst case, and the way to repeat
        /// the earlier runs of docs/performance.md.
        /// </summary>
        Compact,
    }

    /// <summary>The distribution of Russian family names (<see cref="NameDistribution.Census"/> unless set).</summary>
    public static NameDistribution Names { get; set; } = NameDistribution.Census;

    /// <summary>The head's cumulative weights (rank^-0.5) and its share of all names.</summary>
    private static readonly double[] HeadCumulative = RussianFamiliesHead();
    private const double HeadShare = 0.284;

    private static readonly Lazy<string[]> RussianFamiliesTail = new(() =>
    {
        // Fixed seed: every run, and every process of one run, draws from the same tail.
        var random = new Random(15);
        string[] onsets = ["Б", "В", "Г", "Д", "Ж", "З", "К", "Л", "М", "Н", "П", "Р", "С", "Т", "Ф", "Х", "Ц", "Ч", "Ш", "Бр", "Гр", "Кр", "Пр", "Ст", "Тр"];
        string[] vowels = ["а", "о", "е", "и", "у", "ы", "я"];
        string[] middles = ["б", "в", "г", "д", "з", "к", "л", "м", "н", "п", "р", "с", "т", "х", "ч", "ш", "щ", "ль", "рь", "ст"];
        string[] codas = ["", "л", "н", "р", "в", "к", "ш", "т", "д", "ч"];
        string[] endings = ["ов", "ев", "ин", "ский", "енко", "ук", "ых", "ёв", "цкий", "ичев"];
        var head = new HashSet<string>(RussianFamilies);
        var names = new HashSet<string>();
        while (names.Count < 20_000)
        {
            var name = onsets[random.Next(onsets.Length)] + vowels[random.Next(vowels.Length)] + middles[random.Next(middles.Length)]
                + vowels[random.Next(vowels.Length)] + codas[random.Next(codas.Length)] + endings[random.Next(endings.Length)];
            if (!head.Contains(name))
            {
                names.Add(name);
            }
        }

        return names.Order(StringComparer.Ordinal).ToArray();
    });

    private static double[] RussianFamiliesHead()
    {
        var cumulative = new double[RussianFamilies.Length];
        var sum = 0.0;
        for (var i = 0; i < cumulative.Length; i++)
        {
            cumulative[i] = sum += 1 / Math.Sqrt(i + 1);
        }

        return cumulative;
    }

    /// <summary>A Russian family name drawn by <see cref="Names"/>.</summary>
    public static string RussianFamily(Random random)
    {
        if (Names == NameDistribution.Compact)
        {
            return RussianFamilies[random.Next(RussianFamilies.Length)];
        }

        if (random.NextDouble() >= HeadShare)
        {
            return RussianFamiliesTail.Value[random.Next(RussianFamiliesTail.Value.Length)];
        }

        var at = Array.BinarySearch(HeadCumulative, random.NextDouble() * HeadCumulative[^1]);
        return RussianFamilies[Math.Min(at < 0 ? ~at : at, RussianFamilies.Length - 1)];
    }

    private static readonly string[] RussianGiven =
    [
        "Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Максим", "Евгений", "Иван", "Михаил", "Артём",
        "Николай", "Владимир", "Павел", "Денис", "Роман", "Илья", "Кирилл", "Олег", "Игорь", "Юрий",
        "Виктор", "Антон", "Вадим", "Константин", "Руслан", "Виталий", "Станислав", "Егор", "Никита", "Григорий",
    ];

    private static readonly string[] RussianPatronymics =
    [
        "Александрович", "Сергеевич", "Дмитриевич", "Андреевич", "Алексеевич", "Иванович", "Михайлович", "Николаевич",
        "Владимирович", "Павлович", "Игоревич", "Юрьевич", "Викторович", "Олегович", "Петрович", "Васильевич",
        "Евгеньевич", "Анатольевич", "Геннадьевич", "Валерьевич",
    ];

    // The smaller nationalities' lists are long enough, with names chained as each culture writes them (patronymic,
    // two family names, father's name), that one combination of names is shared by a handful of persons, as in a real
    // list, not by hundreds. (Until issue 15's seventh increment these lists held 7 to 14 names each: at a million cases 90 %
    // of all duplicate candidates were Central Asian, Syrian, Cuban and Nepali namesakes the generator had made.)
    private static readonly string[] CentralAsianFamilies =
    [
        "Рахимов", "Каримов", "Юсупов", "Алиев", "Назаров", "Исмоилов", "Турсунов", "Саидов", "Хасанов", "Мирзаев",
        "Абдуллаев", "Усманов", "Эргашев", "Кадыров", "Султанов", "Ибрагимов", "Рашидов", "Нуриддинов", "Тошматов", "Холматов",
        "Умаров", "Шарипов", "Ахмедов", "Бекмуродов", "Джураев", "Зокиров", "Ирисов", "Камолов", "Латипов", "Мамадалиев",
        "Норматов", "Олимов", "Пулатов", "Рузиев", "Садыков", "Тухтаев", "Файзуллаев", "Хамидов", "Шукуров", "Яхёев",
    ];

    private static readonly string[] CentralAsianGiven =
    [
        "Бахтиёр", "Рустам", "Фаррух", "Шерзод", "Улугбек", "Азиз", "Жасур", "Достон", "Сардор", "Бобур",
        "Акмал", "Анвар", "Бекзод", "Гайрат", "Дилшод", "Жахонгир", "Зафар", "Илхом", "Камол", "Лазиз",
        "Мансур", "Нодир", "Отабек", "Равшан", "Санжар", "Тимур", "Умид", "Фахриддин", "Хуршид", "Шохрух",
    ];

    // Family name, its DPRK romanisation, and how a South Korean or Western agency may write it; per mille.
    private static readonly (string Hangul, string Latin, string Variant, int PerMille)[] KoreanFamilies =
    [
        ("김", "Kim", "Gim", 215), ("리", "Ri", "Lee", 147), ("박", "Pak", "Park", 84), ("최", "Choe", "Choi", 47), ("정", "Jong", "Jeong", 44),
        ("강", "Kang", "Gang", 24), ("조", "Jo", "Cho", 21), ("윤", "Yun", "Yoon", 21), ("장", "Jang", "Chang", 20), ("림", "Rim", "Lim", 17),
        ("한", "Han", "Hahn", 15), ("오", "O", "Oh", 15), ("서", "So", "Seo", 13), ("신", "Sin", "Shin", 13), ("권", "Kwon", "Gwon", 12),
        ("황", "Hwang", "Hwang", 11), ("안", "An", "Ahn", 11), ("송", "Song", "Song", 10), ("전", "Jon", "Jeon", 10), ("홍", "Hong", "Hong", 10),
        ("류", "Ryu", "Yu", 9), ("고", "Ko", "Go", 9), ("문", "Mun", "Moon", 9), ("량", "Ryang", "Yang", 8), ("손", "Son", "Sohn", 8),
        ("배", "Pae", "Bae", 8), ("백", "Paek", "Baek", 8), ("허", "Ho", "Heo", 7), ("남", "Nam", "Nam", 6), ("로", "Ro", "Noh", 6),
    ];

    private static readonly (string Hangul, string Latin, string Variant)[] KoreanSyllables =
    [
        ("철", "Chol", "Cheol"), ("민", "Min", "Min"), ("영", "Yong", "Yeong"), ("수", "Su", "Soo"), ("광", "Kwang", "Gwang"),
        ("순", "Sun", "Soon"), ("정", "Jong", "Jeong"), ("혁", "Hyok", "Hyeok"), ("성", "Song", "Seong"), ("일", "Il", "Il"),
        ("남", "Nam", "Nam"), ("호", "Ho", "Ho"), ("진", "Jin", "Jin"), ("명", "Myong", "Myeong"), ("준", "Jun", "Joon"),
        ("현", "Hyon", "Hyeon"), ("국", "Kuk", "Guk"), ("룡", "Ryong", "Yong"), ("석", "Sok", "Seok"), ("원", "Won", "Won"),
        ("학", "Hak", "Hak"), ("금", "Kum", "Geum"), ("춘", "Chun", "Choon"), ("동", "Tong", "Dong"), ("용", "Yong", "Yong"),
        ("기", "Ki", "Gi"), ("범", "Pom", "Beom"), ("훈", "Hun", "Hoon"), ("식", "Sik", "Sik"), ("만", "Man", "Man"),
        ("복", "Pok", "Bok"), ("태", "Thae", "Tae"), ("경", "Kyong", "Gyeong"), ("은", "Un", "Eun"), ("근", "Kun", "Geun"),
        ("길", "Kil", "Gil"), ("덕", "Tok", "Deok"), ("봉", "Pong", "Bong"), ("창", "Chang", "Chang"), ("관", "Kwan", "Gwan"),
    ];

    private static readonly string[] CubanFamilies =
    [
        "González", "Rodríguez", "Pérez", "Hernández", "García", "Martínez", "López", "Díaz", "Fernández", "Sánchez",
        "Ramírez", "Torres", "Álvarez", "Castillo", "Gómez", "Suárez", "Morales", "Cruz", "Reyes", "Gutiérrez",
        "Ruiz", "Jiménez", "Vázquez", "Ramos", "Acosta", "Medina", "Castro", "Rojas", "Herrera", "Aguilar",
        "Mendoza", "Cabrera", "Delgado", "Valdés", "Núñez", "Peña", "Guerra", "Rivero", "Fuentes", "Batista",
    ];

    private static readonly string[] CubanGiven =
    [
        "José", "Luis", "Carlos", "Yoandry", "Yusniel", "Jorge", "Alejandro", "Osmany", "Reinier", "Yasmany",
        "Dayron", "Adrián", "Yordanis", "Raúl", "Ernesto", "Pedro", "Miguel", "Yunior", "Alexis", "Roberto",
        "Daniel", "Javier", "Leonel", "Yuniel", "Yoel", "Maikel", "Lázaro", "Frank", "Orlando", "Eduardo",
    ];

    private static readonly string[] NepaliFamilies =
    [
        "Gurung", "Thapa", "Magar", "Rai", "Tamang", "Shrestha", "Limbu", "Sherpa", "Bhandari", "Khadka",
        "Karki", "Adhikari", "Basnet", "Pun", "Ghale", "Lama", "Bhattarai", "Poudel", "Sharma", "Khatri",
        "Chhetri", "Bista", "Rana", "Shahi", "Thakuri", "Oli", "Dahal", "Subedi", "Budha", "Rokaya",
    ];

    private static readonly string[] NepaliGiven =
    [
        "Ram", "Bikram", "Hari", "Krishna", "Suman", "Prakash", "Dipendra", "Bishnu", "Kamal", "Santosh",
        "Rajesh", "Bijay", "Dipak", "Ganesh", "Gopal", "Kiran", "Madan", "Narayan", "Pradeep", "Rabin",
        "Ramesh", "Sagar", "Sanjay", "Shyam", "Sunil", "Surya", "Tek", "Umesh", "Yam", "Dhan",
    ];

    private static readonly (string Arabic, string Latin)[] SyrianFamilies =
    [
        ("الحسن", "al-Hasan"), ("الأحمد", "al-Ahmad"), ("الخطيب", "al-Khatib"), ("العلي", "al-Ali"), ("الحمود", "al-Hamoud"),
        ("الشامي", "al-Shami"), ("المصري", "al-Masri"), ("الحلبي", "al-Halabi"), ("الزعبي", "al-Zoubi"), ("الخليل", "al-Khalil"),
        ("العمر", "al-Omar"), ("الصالح", "al-Saleh"), ("الإبراهيم", "al-Ibrahim"), ("الحسين", "al-Hussein"), ("المحمد", "al-Mohammad"),
        ("الدرويش", "al-Darwish"), ("الأسعد", "al-Asaad"), ("النجار", "al-Najjar"), ("الحداد", "al-Haddad"), ("العبدالله", "al-Abdullah"),
        ("السيد", "al-Sayed"), ("القاسم", "al-Qasim"), ("الرفاعي", "al-Rifai"), ("الجاسم", "al-Jasim"), ("الحمدان", "al-Hamdan"),
        ("العيسى", "al-Issa"), ("الموسى", "al-Mousa"), ("الكردي", "al-Kurdi"), ("البكري", "al-Bakri"), ("الظاهر", "al-Zaher"),
    ];

    private static readonly (string Arabic, string Latin)[] SyrianGiven =
    [
        ("محمد", "Mohammad"), ("أحمد", "Ahmad"), ("علي", "Ali"), ("خالد", "Khaled"), ("عمر", "Omar"),
        ("حسن", "Hasan"), ("يوسف", "Yousef"), ("إبراهيم", "Ibrahim"), ("محمود", "Mahmoud"), ("مصطفى", "Mustafa"),
        ("عبدالله", "Abdullah"), ("حسين", "Hussein"), ("سامر", "Samer"), ("باسل", "Basel"), ("وائل", "Wael"),
        ("رامي", "Rami"), ("فادي", "Fadi"), ("ماهر", "Maher"), ("طارق", "Tariq"), ("زياد", "Ziad"),
        ("نضال", "Nidal"), ("عماد", "Imad"), ("بلال", "Bilal"), ("جمال", "Jamal"), ("كريم", "Karim"),
        ("سليمان", "Suleiman"), ("فراس", "Firas"), ("مازن", "Mazen"), ("هيثم", "Haitham"), ("أنس", "Anas"),
    ];

    private static readonly string[] Ranks = ["Private", "Private", "Private", "Corporal", "Junior Sergeant", "Sergeant", "Junior Lieutenant", ""];
    private static readonly string[] Places = ["Kursk region", "Sudzha district", "Pokrovsk direction", "Zaporizhzhia region", "Kharkiv region", "Kupiansk direction", "Toretsk direction"];
    private static readonly (string Unit, string Agency)[] AllUnits =
    [
        ("Special Operations Forces", "UA-SSO"), ("47th Mechanized Brigade", "UA-AF"), ("Security Service of Ukraine", "UA-SBU"),
        ("3rd Assault Brigade", "UA-AF"), ("National Guard", "UA-NGU"),
    ];

    /// <summary>The capturing units registrations name: those of agencies it has an intake officer for (<see cref="RegisterFor"/>).</summary>
    private static (string Unit, string Agency)[] Units = AllUnits;

    /// <summary>
    /// Registrations name only units of <paramref name="agencies"/>, since a capture is registered only in the caller's
    /// own agency's name. A unit of its own stands in for an agency with a client but none of the units above.
    /// </summary>
    public static void RegisterFor(IReadOnlyCollection<string> agencies)
    {
        var units = AllUnits.Where(u => agencies.Contains(u.Agency)).ToList();
        units.AddRange(agencies.Where(a => units.All(u => u.Agency != a)).Select(a => ($"{a} capture team", a)));
        Units = units.ToArray();
    }

    /// <summary>Persons registered lately, some of whom another agency registers again.</summary>
    private static readonly Person?[] Recent = new Person?[4096];
    private static long _registered;

    /// <summary>
    /// The next registration: a new person, or (one in fifty) one registered lately, respelt by another agency.
    /// <paramref name="agency"/>, when given, is the capturing agency (one of <see cref="RegisterFor"/>'s): an import
    /// sends one agency's list in one call, since an intake officer registers only in its own agency's name.
    /// </summary>
    public static RegisterCaptureRequest Next(Random random, string? agency = null)
    {
        var n = Interlocked.Increment(ref _registered);
        var again = n > 100 && random.Next(50) == 0 ? Recent[random.Next((int)Math.Min(n - 1, Recent.Length))] : null;
        var person = again is null ? NewPerson(random) : Respelt(again, random);
        Recent[n % Recent.Length] = person;
        var units = agency is null ? Units : Array.FindAll(Units, u => u.Agency == agency);
        var unit = units[random.Next(units.Length)];
        var knowsMonth = random.Next(3) > 0;
        return new RegisterCaptureRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Identity = new Identity
            {
                FamilyName = person.Family,
                GivenNames = person.Given,
                FamilyNameLatin = person.FamilyLatin,
                GivenNamesLatin = person.GivenLatin,
                Rank = Ranks[random.Next(Ranks.Length)],
                ServiceNumber = ServiceNumber(person.Nationality, random),
                DateOfBirth = new PartialDate
                {
                    Year = person.BirthYear,
                    Month = knowsMonth ? 1 + random.Next(12) : 0,
                    Day = knowsMonth && random.Next(2) == 0 ? 1 + random.Next(28) : 0,
                },
                Nationality = person.Nationality,
            },
            // Most are recognised as prisoners of war at once; for the others a tribunal decides (Art. 5).
            StatusCategory = random.Next(20) < 17 ? StatusCategory.PrisonerOfWar : StatusCategory.Unspecified,
            Capture = new CaptureEvent
            {
                CapturedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-random.Next(60 * 24 * 30))),
                Place = Places[random.Next(Places.Length)],
                CapturingUnit = unit.Unit,
                CapturingAgency = unit.Agency,
            },
        };
    }

    public static Person NewPerson(Random random)
    {
        var nationality = Pick(Nationalities, n => n.PerMille, random).Nationality;
        // Most prisoners are between 19 and 47; the North Koreans sent to Kursk were young.
        var birthYear = nationality == "KP" ? 1994 + random.Next(12) : 1978 + random.Next(15) + random.Next(15);
        switch (nationality)
        {
            case "RU" or "BY":
            {
                var family = RussianFamily(random);
                var given = $"{RussianGiven[random.Next(RussianGiven.Length)]} {RussianPatronymics[random.Next(RussianPatronymics.Length)]}";
                return new Person(family, given, Transliterate(family, Gost), Transliterate(given, Gost), nationality, birthYear);
            }
            case "UZ":
            {
                // Russian-style documents: given name and patronymic (the father's name + "ович"; these all end in a consonant).
                var family = CentralAsianFamilies[random.Next(CentralAsianFamilies.Length)];
                var given = $"{CentralAsianGiven[random.Next(CentralAsianGiven.Length)]} {CentralAsianGiven[random.Next(CentralAsianGiven.Length)]}ович";
                return new Person(family, given, Transliterate(family, Gost), Transliterate(given, Gost), nationality, birthYear);
            }
            case "KP":
            {
                var family = Pick(KoreanFamilies, f => f.PerMille, random);
                var a = KoreanSyllables[random.Next(KoreanSyllables.Length)];
                var b = KoreanSyllables[random.Next(KoreanSyllables.Length)];
                return new Person(family.Hangul, a.Hangul + b.Hangul, family.Latin, $"{a.Latin} {b.Latin}", nationality, birthYear);
            }
            case "SY":
            {
                // Given name and father's name, then the family name.
                var family = SyrianFamilies[random.Next(SyrianFamilies.Length)];
                var (given, father) = (SyrianGiven[random.Next(SyrianGiven.Length)], SyrianGiven[random.Next(SyrianGiven.Length)]);
                return new Person(family.Arabic, $"{given.Arabic} {father.Arabic}", family.Latin, $"{given.Latin} {father.Latin}", nationality, birthYear);
            }
            case "CU":
            {
                // The father's and the mother's family names; one given name or two.
                var family = $"{CubanFamilies[random.Next(CubanFamilies.Length)]} {CubanFamilies[random.Next(CubanFamilies.Length)]}";
                var given = CubanGiven[random.Next(CubanGiven.Length)] + (random.Next(3) == 0 ? $" {CubanGiven[random.Next(CubanGiven.Length)]}" : "");
                return new Person(family, given, "", "", nationality, birthYear);
            }
            default:
            {
                var middle = random.Next(3) switch { 0 => " Bahadur", 1 when random.Next(2) == 0 => " Kumar", _ => "" };
                return new Person(NepaliFamilies[random.Next(NepaliFamilies.Length)], NepaliGiven[random.Next(NepaliGiven.Length)] + middle, "", "", nationality, birthYear);
            }
        }
    }

    /// <summary>The same person as another agency writes him: its own Latin spelling, sometimes no original script.</summary>
    private static Person Respelt(Person p, Random random)
    {
        if (p.Nationality == "KP")
        {
            var family = KoreanFamilies.FirstOrDefault(f => f.Latin == p.FamilyLatin).Variant ?? p.FamilyLatin;
            var given = string.Join(' ', p.GivenLatin.Split(' ').Select(s => KoreanSyllables.FirstOrDefault(k => k.Latin == s).Variant ?? s));
            return p with { FamilyLatin = family, GivenLatin = given, Family = random.Next(2) == 0 ? p.Family : "", Given = random.Next(2) == 0 ? p.Given : "" };
        }

        if (p.Nationality is "RU" or "BY" or "UZ")
        {
            return p with { FamilyLatin = Transliterate(p.Family, Passport), GivenLatin = Transliterate(p.Given, Passport) };
        }

        return p;
    }

    private static string ServiceNumber(string nationality, Random random) => nationality switch
    {
        // The personal number of a Russian serviceman: a letter and six digits, here with a second letter to keep them unique.
        "RU" or "BY" when random.Next(5) > 0 => $"{(char)('А' + random.Next(32))}{(char)('А' + random.Next(32))}-{random.Next(100_000, 999_999)}",
        "KP" when random.Next(5) == 0 => $"{random.Next(10_000_000, 99_999_999)}",
        "UZ" or "CU" or "NP" or "SY" when random.Next(2) == 0 => $"{(char)('A' + random.Next(26))}{random.Next(1_000_000, 9_999_999)}",
        _ => "",
    };

    private static T Pick<T>(T[] items, Func<T, int> weight, Random random)
    {
        var at = random.Next(items.Sum(weight));
        foreach (var item in items)
        {
            at -= weight(item);
            if (at < 0)
            {
                return item;
            }
        }

        return items[^1];
    }

    // Two ways Russian names are written in Latin: a scholarly/BGN-like one, and the one of Russian
    // passports since 2013 (ICAO 9303) — "Алексей Юрьевич" is "Aleksey Yuryevich" or "Aleksei Iurevich".
    private static readonly Dictionary<char, string> Gost = Table("a b v g d e yo zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya");
    private static readonly Dictionary<char, string> Passport = Table("a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch ie y _ e iu ia");

    private static Dictionary<char, string> Table(string latin)
    {
        const string cyrillic = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя";
        var parts = latin.Split(' ');
        return cyrillic.Select((c, i) => (c, parts[i] == "_" ? "" : parts[i])).ToDictionary(x => x.c, x => x.Item2);
    }

    private static string Transliterate(string text, Dictionary<char, string> table)
    {
        var result = new StringBuilder(text.Length + 4);
        foreach (var ch in text)
        {
            var lower = char.ToLowerInvariant(ch);
            if (!table.TryGetValue(lower, out var latin))
            {
                result.Append(ch);
            }
            else if (latin.Length > 0 && ch != lower)
            {
                result.Append(char.ToUpperInvariant(latin[0])).Append(latin.AsSpan(1));
            }
            else
            {
                result.Append(latin);
            }
        }

        return result.ToString();
    }

    /// <summary>A name part people look for, and the kind of query it makes (see <see cref="Search"/>).</summary>
    public static (string Kind, SearchCasesRequest Request) SearchQuery(Random random)
    {
        var p = NewPerson(random);
        var latinFamily = p.FamilyLatin.Length > 0 ? p.FamilyLatin : p.Family;
        var latinGiven = (p.GivenLatin.Length > 0 ? p.GivenLatin : p.Given).Split(' ')[0];
        var request = new SearchCasesRequest { PageSize = 20 };
        string kind;
        switch (random.Next(10))
        {
            case 0 or 1:
                kind = "Latin full name";
                request.Name = $"{latinFamily} {latinGiven}";
                break;
            case 2 or 3:
                // Hangul, Cyrillic, Arabic or Spanish as the person wrote it.
                kind = "original script";
                request.Name = p.Nationality == "KP" ? $"{p.Family} {p.Given}" : $"{p.Family} {p.Given.Split(' ')[0]}";
                break;
            case 4:
                kind = "part of a name";
                request.Name = latinFamily[..Math.Min(latinFamily.Length, 4 + random.Next(3))];
                break;
            case 5:
                kind = "name with a typo";
                request.Name = Typo(latinFamily, random);
                break;
            case 6:
                kind = "name + nationality";
                request.Name = latinFamily;
                request.Nationality = p.Nationality;
                break;
            case 7:
                kind = "nationality + last 7 days";
                request.Nationality = p.Nationality;
                request.CapturedFrom = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-7));
                break;
            case 8:
                kind = "agency + status";
                request.CapturingAgency = Units[random.Next(Units.Length)].Agency;
                request.StatusCategory = random.Next(2) == 0 ? StatusCategory.PrisonerOfWar : StatusCategory.PendingDetermination;
                break;
            default:
                kind = "service number";
                request.ServiceNumber = ServiceNumber("RU", random) is { Length: > 0 } number ? number : "АБ-123456";
                break;
        }

        return (kind, request);
    }

    /// <summary>One letter replaced, dropped or two swapped, as people mistype names.</summary>
    private static string Typo(string name, Random random)
    {
        if (name.Length < 4)
        {
            return name + "a";
        }

        var i = 1 + random.Next(name.Length - 2);
        return random.Next(3) switch
        {
            0 => name[..i] + (char)('a' + random.Next(26)) + name[(i + 1)..],
            1 => name[..i] + name[(i + 1)..],
            _ => name[..i] + name[i + 1] + name[i] + name[(i + 2)..],
        };
    }
}
