namespace Registry.Linkage;

/// <summary>A Korean family name as it is written in Hangul and by each system (conventional spellings, not the letter-by-letter ones).</summary>
public sealed record KoreanFamily(string Hangul, string Dprk, string McCuneReischauer, string Revised, double Weight)
{
    public string Latin(KoreanSystem system) => system switch
    {
        KoreanSystem.McCuneReischauer => McCuneReischauer,
        KoreanSystem.Revised => Revised,
        _ => Dprk,
    };
}

/// <summary>
/// Name frequencies close to the real ones, so that chance agreement is as common as it is in life:
/// one North Korean in five is a Kim and one in seven a Ri (the 2015 South Korean census gives 21.5 %
/// Kim, 14.7 % Lee/Ri, 8.4 % Park/Pak); Russian and Ukrainian family names from the most frequent
/// ones, weighted by rank (Zipf). Given names: two Hangul syllables from the common ones, or a common
/// Russian or Ukrainian first name.
/// </summary>
public static class NameTables
{
    public static readonly KoreanFamily[] KoreanFamilies =
    [
        new("김", "Kim", "Kim", "Kim", 21.5), new("리", "Ri", "Ri", "Lee", 14.7), new("박", "Pak", "Pak", "Park", 8.4),
        new("최", "Choe", "Ch'oe", "Choi", 4.7), new("정", "Jong", "Chŏng", "Jeong", 4.4), new("강", "Kang", "Kang", "Kang", 2.3),
        new("조", "Jo", "Cho", "Jo", 2.1), new("윤", "Yun", "Yun", "Yoon", 2.1), new("장", "Jang", "Chang", "Jang", 2.0),
        new("림", "Rim", "Rim", "Lim", 1.7), new("한", "Han", "Han", "Han", 1.5), new("오", "O", "O", "Oh", 1.5),
        new("서", "So", "Sŏ", "Seo", 1.4), new("신", "Sin", "Sin", "Shin", 1.4), new("권", "Kwon", "Kwŏn", "Kwon", 1.4),
        new("황", "Hwang", "Hwang", "Hwang", 1.4), new("안", "An", "An", "Ahn", 1.3), new("송", "Song", "Song", "Song", 1.3),
        new("류", "Ryu", "Ryu", "Yoo", 1.2), new("홍", "Hong", "Hong", "Hong", 1.1), new("전", "Jon", "Chŏn", "Jeon", 1.1),
        new("고", "Ko", "Ko", "Go", 0.9), new("문", "Mun", "Mun", "Moon", 0.9), new("량", "Ryang", "Ryang", "Yang", 0.9),
        new("손", "Son", "Son", "Son", 0.9), new("배", "Pae", "Pae", "Bae", 0.8), new("백", "Paek", "Paek", "Baek", 0.8),
        new("허", "Ho", "Hŏ", "Heo", 0.6), new("남", "Nam", "Nam", "Nam", 0.5), new("심", "Sim", "Sim", "Shim", 0.5),
        new("로", "Ro", "No", "Noh", 0.4), new("하", "Ha", "Ha", "Ha", 0.4), new("곽", "Kwak", "Kwak", "Gwak", 0.4),
        new("차", "Cha", "Ch'a", "Cha", 0.4), new("주", "Ju", "Chu", "Joo", 0.4), new("우", "U", "U", "Woo", 0.3),
        new("구", "Ku", "Ku", "Koo", 0.4), new("민", "Min", "Min", "Min", 0.3), new("진", "Jin", "Chin", "Jin", 0.3),
        new("지", "Ji", "Chi", "Ji", 0.3), new("엄", "Om", "Ŏm", "Eom", 0.3), new("채", "Chae", "Ch'ae", "Chae", 0.3),
        new("원", "Won", "Wŏn", "Won", 0.3), new("천", "Chon", "Ch'ŏn", "Cheon", 0.3), new("방", "Pang", "Pang", "Bang", 0.3),
        new("현", "Hyon", "Hyŏn", "Hyun", 0.2), new("함", "Ham", "Ham", "Ham", 0.2), new("변", "Pyon", "Pyŏn", "Byun", 0.2),
        new("염", "Yom", "Yŏm", "Yeom", 0.2), new("명", "Myong", "Myŏng", "Myung", 0.1), new("계", "Kye", "Kye", "Gye", 0.1),
    ];

    /// <summary>Syllables of North Korean men's given names, the most common first.</summary>
    public const string KoreanGivenSyllables =
        "철광성영명혁일진남수호용국정순민준훈석만학길춘덕복금룡경현은희식원봉근선익송휘웅대의충동세창범택삼태윤환기상혜림청향주무";

    /// <summary>Russian family names, the most frequent first.</summary>
    public static readonly string[] RussianFamilies =
    [
        "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров",
        "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев",
        "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев",
        "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв",
        "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев", "Антонов", "Тарасов",
        "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов", "Сидоров",
        "Матвеев", "Титов", "Марков", "Миронов", "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов",
        "Гаврилов", "Тихонов", "Казаков", "Афанасьев", "Данилов", "Савельев", "Тимофеев", "Фомин", "Чернов", "Абрамов",
        "Мартынов", "Ефимов", "Федотов", "Щербаков", "Назаров", "Калинин", "Исаев", "Чернышёв", "Быков", "Маслов",
        "Родионов", "Коновалов", "Лазарев", "Воронин", "Климов", "Филатов", "Пономарёв", "Голубев", "Кудрявцев", "Прохоров",
        "Наумов", "Потапов", "Журавлёв", "Овчинников", "Трофимов", "Леонов", "Соболев", "Ермаков", "Колесников", "Гончаров",
        "Емельянов", "Никифоров", "Грачёв", "Котов", "Гришин", "Ефремов", "Архипов", "Громов", "Кириллов", "Малышев",
        "Панов", "Моисеев", "Румянцев", "Акимов", "Кондратьев", "Бирюков", "Горбунов", "Анисимов", "Ерёмин", "Тихомиров",
        "Галкин", "Лукьянов", "Михеев", "Скворцов", "Юдин", "Белоусов", "Нестеров", "Симонов", "Прокофьев", "Харитонов",
        "Князев", "Цветков", "Левин", "Митрофанов", "Воронов", "Аксёнов", "Софронов", "Мальцев", "Логинов", "Горшков",
        "Савин", "Краснов", "Майоров", "Демидов", "Елисеев", "Рыбаков", "Сафонов", "Плотников", "Дёмин", "Хохлов",
        "Жданов", "Желябов", "Коваленко", "Шевченко", "Бондаренко", "Ткаченко", "Кравченко", "Бойко", "Ковальчук", "Мельник",
    ];

    public static readonly string[] RussianGiven =
    [
        "Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Максим", "Евгений", "Иван", "Михаил", "Артём",
        "Николай", "Владимир", "Денис", "Павел", "Роман", "Игорь", "Олег", "Илья", "Кирилл", "Антон",
        "Виктор", "Юрий", "Вадим", "Константин", "Виталий", "Никита", "Егор", "Василий", "Руслан", "Станислав",
        "Григорий", "Пётр", "Фёдор", "Даниил", "Тимур", "Вячеслав", "Леонид", "Анатолий", "Георгий", "Эдуард",
    ];

    public static readonly string[] UkrainianFamilies =
    [
        "Мельник", "Шевченко", "Коваленко", "Бондаренко", "Бойко", "Ткаченко", "Кравченко", "Ковальчук", "Коваль", "Олійник",
        "Шевчук", "Поліщук", "Іваненко", "Ткачук", "Савченко", "Бондар", "Руденко", "Марченко", "Лисенко", "Мороз",
        "Петренко", "Клименко", "Павленко", "Кравчук", "Кузьменко", "Пономаренко", "Савчук", "Василенко", "Левченко", "Харченко",
        "Сидоренко", "Карпенко", "Гончаренко", "Юрченко", "Гаврилюк", "Мартинюк", "Кушнір", "Литвиненко", "Приходько", "Гнатюк",
    ];

    public static readonly string[] UkrainianGiven =
    [
        "Олександр", "Сергій", "Андрій", "Дмитро", "Володимир", "Іван", "Микола", "Юрій", "Олег", "Віталій",
        "Михайло", "Василь", "Петро", "Богдан", "Тарас", "Євген", "Ігор", "Роман", "Віктор", "Максим",
        "Ярослав", "Григорій", "Анатолій", "Павло", "Валерій", "Артем", "Денис", "Руслан", "Олексій", "Євгеній",
    ];

    /// <summary>
    /// Stems and endings of the long tail of East Slavic family names: half the persons bear one of the
    /// frequent names above, the other half one of these combinations (~1,300), since one Russian in a
    /// hundred is an Ivanov and most bear a name shared by few.
    /// </summary>
    public static readonly string[] SlavicStems =
    [
        "Берез", "Волч", "Гор", "Дуб", "Журав", "Зим", "Камен", "Клен", "Кузьм", "Лес", "Мал", "Мед", "Мороз", "Нов",
        "Орл", "Пес", "Пол", "Реп", "Сав", "Сем", "Сок", "Стар", "Хом", "Черн", "Шаб", "Ясен", "Бел", "Бор", "Вар",
        "Гол", "Гриц", "Дем", "Ерм", "Жук", "Зуб", "Ивашк", "Карп", "Кир", "Кот", "Крав", "Лаз", "Лит", "Лук", "Мар",
        "Мин", "Мих", "Наз", "Овч", "Ост", "Пав", "Пан", "Пет", "Плот", "Прох", "Руд", "Рыб", "Сид", "Сил", "Скор",
        "Сух", "Тар", "Тимош", "Тк", "Фед", "Фил", "Хар", "Цыб", "Чуд", "Шевч", "Шил", "Юр", "Як", "Бонд", "Гонч",
        "Дорош", "Ков", "Кост", "Лис", "Мирош", "Нест", "Оник", "Прокоп", "Рад", "Сер", "Степ", "Троф", "Усть",
        "Хмел", "Чиж", "Шум", "Щерб", "Яковл", "Бабич", "Головк", "Гуц", "Данил", "Еф", "Зах", "Игнат", "Калин",
        "Клим", "Кондрат", "Корн", "Купр", "Лавр", "Левч", "Лог", "Мак", "Мельн", "Мох", "Нечип", "Охрим", "Пилип",
        "Рог", "Саф", "Скрип", "Соб", "Тит", "Трох", "Фом", "Харит", "Цар", "Чал", "Шапов", "Юрк", "Ярош",
    ];

    public static readonly string[] SlavicEndings = ["ов", "ин", "ев", "енко", "ук", "чук", "ский", "ко", "ых", "ец"];

    /// <summary>Where captures happen, as officers write them.</summary>
    public static readonly string[] CapturePlaces =
    [
        "Kursk region", "Sudzha", "Kupiansk", "Pokrovsk", "Bakhmut", "Avdiivka", "Vovchansk", "Robotyne",
        "Toretsk", "Chasiv Yar", "Kurakhove", "Velyka Novosilka", "Kherson region", "Lyman", "Siversk", "Huliaipole",
    ];
}

/// <summary>Draws from a list by weight (cumulative table, binary search).</summary>
public sealed class Weighted<T>
{
    private readonly T[] _items;
    private readonly double[] _cumulative;

    public Weighted(IEnumerable<(T Item, double Weight)> items)
    {
        var list = items.ToList();
        _items = list.Select(i => i.Item).ToArray();
        _cumulative = new double[list.Count];
        var sum = 0.0;
        for (var i = 0; i < list.Count; i++)
        {
            sum += list[i].Weight;
            _cumulative[i] = sum;
        }
    }

    /// <summary>Rank-weighted (Zipf with exponent <paramref name="s"/>): the first is the most frequent.</summary>
    public static Weighted<T> Zipf(IEnumerable<T> ranked, double s = 1.0) => new(ranked.Select((item, rank) => (item, 1.0 / Math.Pow(rank + 1, s))));

    public T Draw(Random random)
    {
        var x = random.NextDouble() * _cumulative[^1];
        var index = Array.BinarySearch(_cumulative, x);
        return _items[index < 0 ? ~index : index];
    }
}
