"""Two national forms for the demo, shaped like the ministry's yearly school forms: the school
network and contingent (pupils by grade, sex and language of instruction) and the teaching staff."""

from __future__ import annotations

BREAKDOWNS = [
    {"code": "sex", "name_kk": "Жынысы", "name_ru": "Пол", "name_en": "Sex",
     "items": [("m", "Ер", "Мужской", "Male"), ("f", "Әйел", "Женский", "Female")]},
    {"code": "grade", "name_kk": "Сынып", "name_ru": "Класс", "name_en": "Grade",
     "items": [(str(g), f"{g}-сынып" if g else "Мектепалды даярлық", f"{g} класс" if g else "Предшкольная подготовка",
                f"Grade {g}" if g else "Pre-school class") for g in range(0, 12)]},
    {"code": "lang", "name_kk": "Оқыту тілі", "name_ru": "Язык обучения", "name_en": "Language of instruction",
     "items": [("kk", "Қазақ тілі", "Казахский", "Kazakh"), ("ru", "Орыс тілі", "Русский", "Russian"), ("other", "Басқа тілдер", "Другие", "Other")]},
    {"code": "subject", "name_kk": "Пән", "name_ru": "Предмет", "name_en": "Subject",
     "items": [("primary", "Бастауыш сынып", "Начальные классы", "Primary classes"), ("kaz", "Қазақ тілі мен әдебиеті", "Казахский язык и литература", "Kazakh language and literature"),
               ("rus", "Орыс тілі мен әдебиеті", "Русский язык и литература", "Russian language and literature"), ("math", "Математика", "Математика", "Mathematics"),
               ("phys", "Физика", "Физика", "Physics"), ("eng", "Ағылшын тілі", "Английский язык", "English"), ("other", "Басқа пәндер", "Другие предметы", "Other subjects")]},
]

INDICATORS = [
    # code, kk, ru, en, type, unit (kk, ru, en), aggregation, weight
    ("PUPILS", "Оқушылар саны", "Численность учащихся", "Number of pupils", "integer", ("адам", "чел.", "persons"), "sum", None),
    ("CLASSES", "Сынып-жинақтар саны", "Количество классов-комплектов", "Number of classes", "integer", ("бірлік", "ед.", "units"), "sum", None),
    ("SHIFTS", "Ауысым саны", "Количество смен", "Number of shifts", "integer", ("бірлік", "ед.", "units"), "none", None),
    ("SEATS", "Жобалық орын саны", "Проектная мощность (мест)", "Design capacity (seats)", "integer", ("орын", "мест", "seats"), "sum", None),
    ("COMPUTERS", "Оқу мақсатындағы компьютерлер", "Компьютеры для обучения", "Computers for teaching", "integer", ("дана", "шт.", "pcs"), "sum", None),
    ("INTERNET", "Жоғары жылдамдықты интернет бар", "Наличие скоростного интернета", "High-speed internet", "boolean", ("", "", ""), "sum", None),
    ("TEACHERS", "Педагогтер саны", "Численность педагогов", "Number of teachers", "integer", ("адам", "чел.", "persons"), "sum", None),
    ("TEACHERS_HIGHER", "Жоғары білімді педагогтер", "Педагоги с высшим образованием", "Teachers with higher education", "integer", ("адам", "чел.", "persons"), "sum", None),
    ("TEACHERS_MASTER", "Педагог-шебер және педагог-зерттеуші санаттағылар", "Педагоги-мастера и педагоги-исследователи", "Master and researcher teachers", "integer", ("адам", "чел.", "persons"), "sum", None),
    ("TEACHERS_YOUNG", "Жас мамандар (3 жылға дейін өтілі бар)", "Молодые специалисты (стаж до 3 лет)", "Young teachers (under 3 years)", "integer", ("адам", "чел.", "persons"), "sum", None),
    ("VACANCIES", "Бос педагог лауазымдары", "Вакантные должности педагогов", "Vacant teaching posts", "integer", ("бірлік", "ед.", "posts"), "sum", None),
    ("LOAD", "Педагогтің орташа апталық жүктемесі", "Средняя недельная нагрузка педагога", "Average weekly teaching load", "decimal", ("сағат", "час.", "hours"), "weighted_avg", "TEACHERS"),
]


def _grade_rows():
    rows = []
    for g in range(0, 12):
        label = ("Мектепалды даярлық сыныбы", "Предшкольный класс", "Pre-school class") if g == 0 else (f"{g}-сынып", f"{g} класс", f"Grade {g}")
        rows.append({"code": f"{g + 1:02d}", "name_kk": label[0], "name_ru": label[1], "name_en": label[2], "breakdown": [["grade", str(g)]]})
    rows.append({"code": "13", "name_kk": "Барлығы", "name_ru": "Всего", "name_en": "Total", "breakdown": []})
    return rows


FORM_CONTINGENT = {
    "code": "D-1", "year": "2025-2026", "version": 1,
    "name_kk": "Жалпы білім беретін мектептер желісі мен контингенті туралы есеп",
    "name_ru": "Отчёт о сети и контингенте общеобразовательных школ",
    "name_en": "Report on the network and contingent of general schools",
    "columns": [
        {"code": "1", "indicator": "PUPILS", "name_kk": "Барлық оқушылар", "name_ru": "Всего учащихся", "name_en": "All pupils"},
        {"code": "2", "indicator": "PUPILS", "breakdown": [["sex", "f"]], "name_kk": "оның ішінде қыздар", "name_ru": "из них девочки", "name_en": "of which girls"},
        {"code": "3", "indicator": "PUPILS", "breakdown": [["lang", "kk"]], "name_kk": "қазақ тілінде оқитындар", "name_ru": "обучаются на казахском", "name_en": "taught in Kazakh"},
        {"code": "4", "indicator": "PUPILS", "breakdown": [["lang", "ru"]], "name_kk": "орыс тілінде оқитындар", "name_ru": "обучаются на русском", "name_en": "taught in Russian"},
        {"code": "5", "indicator": "CLASSES", "name_kk": "Сынып-жинақтар", "name_ru": "Классы-комплекты", "name_en": "Classes"},
    ],
    "sections": [
        {"code": "1", "name_kk": "1-бөлім. Оқушылар контингенті", "name_ru": "Раздел 1. Контингент учащихся", "name_en": "Section 1. Pupils", "rows": _grade_rows()},
        {"code": "2", "name_kk": "2-бөлім. Мектеп желісі", "name_ru": "Раздел 2. Сеть школы", "name_en": "Section 2. School network", "rows": [
            {"code": "21", "indicator": "SEATS", "skip_columns": ["2", "3", "4", "5"], "name_kk": "Жобалық қуаты (орын)", "name_ru": "Проектная мощность (мест)", "name_en": "Design capacity (seats)"},
            {"code": "22", "indicator": "SHIFTS", "skip_columns": ["2", "3", "4", "5"], "name_kk": "Оқу ауысымдарының саны", "name_ru": "Количество смен", "name_en": "Number of shifts"},
            {"code": "23", "indicator": "COMPUTERS", "skip_columns": ["2", "3", "4", "5"], "name_kk": "Оқу мақсатындағы компьютерлер", "name_ru": "Компьютеры для обучения", "name_en": "Computers for teaching"},
            {"code": "24", "indicator": "INTERNET", "skip_columns": ["2", "3", "4", "5"], "name_kk": "Жоғары жылдамдықты интернет (иә/жоқ)", "name_ru": "Скоростной интернет (да/нет)", "name_en": "High-speed internet (yes/no)"},
        ]},
    ],
    "rules": [
        *[{"code": f"TOTAL{c}", "expression": f"r13c{c} = sum(r01c{c}:r12c{c})",
           "message_kk": f"{c}-баған: «Барлығы» жолы сыныптардың қосындысына тең болуы керек.",
           "message_ru": f"Графа {c}: строка «Всего» должна равняться сумме по классам.",
           "message_en": f"Column {c}: the Total row must equal the sum of the grades."} for c in range(1, 6)],
        {"code": "GIRLS", "expression": "r13c2 <= r13c1", "message_kk": "Қыздар саны барлық оқушылардан аспауы керек.",
         "message_ru": "Число девочек не может превышать число учащихся.", "message_en": "Girls cannot outnumber all pupils."},
        {"code": "LANG", "expression": "r13c3 + r13c4 <= r13c1", "message_kk": "Оқыту тілдері бойынша сан барлық оқушылардан аспауы керек.",
         "message_ru": "Сумма по языкам обучения не может превышать число учащихся.", "message_en": "Pupils by language cannot exceed all pupils."},
        {"code": "SEATS", "expression": "r13c1 <= r21c1 * 2", "severity": "warning",
         "message_kk": "Оқушылар саны жобалық қуаттан екі еседен көп: түсініктеме беріңіз.",
         "message_ru": "Учащихся более чем вдвое больше проектной мощности: дайте пояснение.",
         "message_en": "More than twice as many pupils as seats: explain."},
    ],
}

SUBJECT_ROWS = [
    ("02", "primary", "Бастауыш сынып мұғалімдері", "Учителя начальных классов", "Primary class teachers"),
    ("03", "kaz", "Қазақ тілі мен әдебиеті", "Казахский язык и литература", "Kazakh language and literature"),
    ("04", "rus", "Орыс тілі мен әдебиеті", "Русский язык и литература", "Russian language and literature"),
    ("05", "math", "Математика", "Математика", "Mathematics"),
    ("06", "phys", "Физика", "Физика", "Physics"),
    ("07", "eng", "Ағылшын тілі", "Английский язык", "English"),
    ("08", "other", "Басқа пәндер", "Другие предметы", "Other subjects"),
]

FORM_STAFF = {
    "code": "D-2", "year": "2025-2026", "version": 1,
    "name_kk": "Жалпы білім беретін мектептердің педагог кадрлары туралы есеп",
    "name_ru": "Отчёт о педагогических кадрах общеобразовательных школ",
    "name_en": "Report on the teaching staff of general schools",
    "columns": [
        {"code": "1", "indicator": "TEACHERS", "name_kk": "Педагогтер барлығы", "name_ru": "Всего педагогов", "name_en": "All teachers"},
        {"code": "2", "indicator": "TEACHERS", "breakdown": [["sex", "f"]], "name_kk": "оның ішінде әйелдер", "name_ru": "из них женщины", "name_en": "of which women"},
        {"code": "3", "indicator": "TEACHERS_HIGHER", "name_kk": "Жоғары білімді", "name_ru": "С высшим образованием", "name_en": "With higher education"},
        {"code": "4", "indicator": "TEACHERS_MASTER", "name_kk": "Шебер және зерттеуші", "name_ru": "Мастера и исследователи", "name_en": "Masters and researchers"},
        {"code": "5", "indicator": "TEACHERS_YOUNG", "name_kk": "Жас мамандар", "name_ru": "Молодые специалисты", "name_en": "Young teachers"},
    ],
    "sections": [
        {"code": "1", "name_kk": "1-бөлім. Пәндер бойынша педагогтер", "name_ru": "Раздел 1. Педагоги по предметам", "name_en": "Section 1. Teachers by subject", "rows": [
            {"code": "01", "name_kk": "Барлығы", "name_ru": "Всего", "name_en": "Total", "breakdown": []},
            *[{"code": code, "breakdown": [["subject", subject]], "name_kk": kk, "name_ru": ru, "name_en": en} for code, subject, kk, ru, en in SUBJECT_ROWS],
        ]},
        {"code": "2", "name_kk": "2-бөлім. Жүктеме және бос орындар", "name_ru": "Раздел 2. Нагрузка и вакансии", "name_en": "Section 2. Load and vacancies", "rows": [
            {"code": "21", "indicator": "VACANCIES", "skip_columns": ["2", "3", "4", "5"], "name_kk": "Бос педагог лауазымдары", "name_ru": "Вакантные должности педагогов", "name_en": "Vacant teaching posts"},
            {"code": "22", "indicator": "LOAD", "skip_columns": ["2", "3", "4", "5"], "name_kk": "Орташа апталық жүктеме (сағат)", "name_ru": "Средняя недельная нагрузка (часов)", "name_en": "Average weekly load (hours)"},
        ]},
    ],
    "rules": [
        *[{"code": f"TOTAL{c}", "expression": f"r01c{c} = sum(r02c{c}:r08c{c})",
           "message_kk": f"{c}-баған: «Барлығы» жолы пәндердің қосындысына тең болуы керек.",
           "message_ru": f"Графа {c}: строка «Всего» должна равняться сумме по предметам.",
           "message_en": f"Column {c}: the Total row must equal the sum of the subjects."} for c in range(1, 6)],
        *[{"code": f"PART{c}", "expression": f"r01c{c} <= r01c1", "message_kk": f"{c}-баған барлық педагогтерден аспауы керек.",
           "message_ru": f"Графа {c} не может превышать общее число педагогов.", "message_en": f"Column {c} cannot exceed all teachers."} for c in range(2, 6)],
        {"code": "LOAD", "expression": "r22c1 <= 40", "message_kk": "Апталық жүктеме 40 сағаттан аспауы керек.",
         "message_ru": "Недельная нагрузка не может превышать 40 часов.", "message_en": "The weekly load cannot exceed 40 hours."},
    ],
}


def school_values(rng, *, pupils_per_grade=(18, 30), girls_share=(0.45, 0.52)) -> dict[str, int]:
    """Plausible D-1 values for one school that satisfy the form's rules."""
    values = {}
    totals = [0] * 5
    for g in range(12):
        row = f"{g + 1:02d}"
        classes = rng.randint(1, 3)
        pupils = classes * rng.randint(*pupils_per_grade)
        girls = round(pupils * rng.uniform(*girls_share))
        kaz = round(pupils * rng.uniform(0.5, 0.95))
        rus = pupils - kaz
        for c, v in enumerate((pupils, girls, kaz, rus, classes), start=1):
            values[f"r{row}c{c}"] = v
            totals[c - 1] += v
    for c, v in enumerate(totals, start=1):
        values[f"r13c{c}"] = v
    values["r21c1"] = max(totals[0] + rng.randint(-50, 200), 100)
    values["r22c1"] = 1 if totals[0] < values["r21c1"] else 2
    values["r23c1"] = rng.randint(20, 90)
    values["r24c1"] = True
    return values
