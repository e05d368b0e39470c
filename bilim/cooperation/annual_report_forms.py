"""Form COOP-2 of the reporting catalogue: the figures of Appendix 2 that consolidate up the tree.

Each organization's values are filled from its cooperation data (``annual_report.figures``) and
submitted through reporting's campaign; on acceptance reporting adds them to the district, region
and republic totals (``Aggregate``), so the ministry reads the country's totals of foreigners by
level (category) and purpose and of trips abroad by purpose the moment the last report is accepted.
The breakdown **by country** (some 250 values: thousands of mostly empty cells in a fixed form) is
not a form's business: ``annual_report_selectors.country_figures`` aggregates it from the records
of the subtree instead (see there)."""

from __future__ import annotations

FORM_CODE = "COOP-2"
ORDER_NUMBER = "№ 661 (№ 500, 05.10.2021)"

BREAKDOWNS = [
    {"code": "coop_category", "name_kk": "Шетелдіктің санаты", "name_ru": "Категория иностранца", "name_en": "Category of the foreigner",
     "items": [("preparatory", "Дайындық факультетінің білім алушылары", "Обучающиеся подготовительного факультета", "Preparatory faculty students"),
               ("bachelor", "Бакалавриат білім алушылары", "Обучающиеся бакалавриата", "Bachelor's students"),
               ("master", "Магистранттар", "Магистранты", "Master's students"),
               ("doctoral", "Докторанттар", "Докторанты", "Doctoral students"),
               ("exchange", "Алмасу бойынша білім алушылар", "Обучающиеся по обмену", "Exchange students"),
               ("teacher", "Педагогтер", "Педагоги", "Teachers"),
               ("researcher", "Ғылыми қызметкерлер", "Научные работники", "Researchers")]},
    {"code": "coop_purpose", "name_kk": "Болу мақсаты", "name_ru": "Цель пребывания", "name_en": "Purpose",
     "items": [("study", "Оқу", "Учеба", "Study"), ("work", "Жұмыс", "Работа", "Work"), ("research", "Ғылыми зерттеу", "Научные исследования", "Research"),
               ("conference", "Конференция", "Конференция", "Conference")]},
    {"code": "coop_origin", "name_kk": "Шығу тегі", "name_ru": "Происхождение", "name_en": "Origin",
     "items": [("diaspora", "Қазақ диаспорасы және қандастар", "Казахская диаспора и кандасы", "Kazakh diaspora and kandas"),
               ("cis", "ТМД азаматтары", "Граждане СНГ", "CIS citizens")]},
    {"code": "coop_state", "name_kk": "Күйі", "name_ru": "Состояние", "name_en": "State",
     "items": [("done", "Орындалды", "Исполнено", "Done"), ("in_force", "Күшінде", "Действует", "In force"),
               ("signed", "Жыл ішінде қол қойылды", "Подписано за год", "Signed in the year"),
               ("ended", "Жыл ішінде тоқтатылды", "Прекращено за год", "Ended in the year"),
               ("reported", "Есеп берілді", "Отчет сдан", "Reported")]},
    {"code": "coop_material", "name_kk": "Әзірлеме түрі", "name_ru": "Вид разработки", "name_en": "Kind of material",
     "items": [("course", "Арнайы курстар мен семинарлар", "Спецкурсы и спецсеминары", "Special courses and seminars"),
               ("publication", "Оқулықтар, құралдар, нұсқаулықтар", "Учебники, пособия, указания", "Textbooks, manuals, guides")]},
]

PERSONS = ("адам", "чел.", "persons")
UNITS = ("бірлік", "ед.", "units")

INDICATORS = [
    # code, kk, ru, en, unit
    ("COOP_SUBDIVISIONS", "Сыртқы байланыстармен айналысатын бөлімшелер", "Подразделения, осуществляющие внешние связи", "Subdivisions for external relations", UNITS),
    ("COOP_OFFICIALS", "Халықаралық ынтымақтастыққа жауапты лауазымды тұлғалар", "Должностные лица, ответственные за международное сотрудничество", "Officials responsible for international cooperation", PERSONS),
    ("COOP_FOREIGNERS", "Шетелдіктер", "Иностранцы", "Foreigners", PERSONS),
    ("COOP_OUTGOING", "Шетелге жіберілгендердің іссапарлары", "Командировки граждан, направленных за рубеж", "Trips of citizens sent abroad", UNITS),
    ("COOP_PLAN_ITEMS", "Жұмыс жоспарының іс-шаралары", "Мероприятия плана работы", "Activities of the work plan", UNITS),
    ("COOP_AGREEMENTS", "Шетелдік әріптестермен келісімдер", "Соглашения с иностранными партнерами", "Agreements with foreign partners", UNITS),
    ("COOP_CONTACTS", "Дипломатиялық өкілдіктермен және мәдени орталықтармен байланыстар", "Контакты с дипломатическими представительствами и культурными центрами", "Contacts with diplomatic missions and cultural centres", UNITS),
    ("COOP_CONFERENCES", "Халықаралық конференцияларға қатысу", "Участие в международных конференциях", "Participation in international conferences", UNITS),
    ("COOP_MATERIALS", "Шетелдіктерге арналған курстар мен оқу-әдістемелік әзірлемелер", "Курсы и учебно-методические разработки для иностранцев", "Courses and teaching materials for foreigners", UNITS),
]


def _row(code, kk, ru, en, indicator=None, breakdown=None, only_first=True):
    row = {"code": code, "name_kk": kk, "name_ru": ru, "name_en": en, "breakdown": breakdown or []}
    if indicator:
        row["indicator"] = indicator
    if only_first:
        row["skip_columns"] = ["2", "3"]
    return row


def definition(year: str) -> dict:
    """The form for the academic year ``year`` (a reporting form definition, see reporting.services.form_create)."""
    categories = [(key, *names) for key, *names in BREAKDOWNS[0]["items"]]
    foreigner_rows = [_row("10", "Шетелдіктер барлығы", "Всего иностранцев", "All foreigners", "COOP_FOREIGNERS", only_first=False)]
    for row_code, (key, kk, ru, en) in zip(("11", "12", "13", "14", "15", "16", "17"), categories):
        foreigner_rows.append(_row(row_code, f"оның ішінде: {kk.lower()}", f"в том числе: {ru.lower()}", f"of which: {en.lower()}", "COOP_FOREIGNERS",
                                   [["coop_category", key]], only_first=False))
    for row_code, key, kk, ru, en in (("18", "study", "оқу үшін", "на учебе", "studying"), ("19", "work", "жұмыс үшін", "на работе", "working"),
                                      ("20", "research", "ғылыми зерттеу үшін", "проводящие исследования", "doing research")):
        foreigner_rows.append(_row(row_code, f"мақсаты бойынша: {kk}", f"по цели: {ru}", f"by purpose: {en}", "COOP_FOREIGNERS",
                                   [["coop_purpose", key]], only_first=False))
    return {
        "code": FORM_CODE, "year": year, "version": 1,
        "name_kk": "Халықаралық ынтымақтастықтың нәтижесі туралы мәліметтер (Ережеге 2-қосымша)",
        "name_ru": "Сведения о результатах международного сотрудничества (приложение 2 к Правилам)",
        "name_en": "Results of international cooperation (Appendix 2 to the Rules)",
        "columns": [
            {"code": "1", "name_kk": "Барлығы", "name_ru": "Всего", "name_en": "Total"},
            {"code": "2", "breakdown": [["coop_origin", "diaspora"]], "name_kk": "оның ішінде диаспора және қандастар",
             "name_ru": "из них диаспора и кандасы", "name_en": "of which diaspora and kandas"},
            {"code": "3", "breakdown": [["coop_origin", "cis"]], "name_kk": "оның ішінде ТМД азаматтары", "name_ru": "из них граждане СНГ",
             "name_en": "of which CIS citizens"},
        ],
        "sections": [
            {"code": "1", "name_kk": "1–2. Бөлімшелер және жауапты тұлғалар", "name_ru": "1–2. Подразделения и ответственные лица",
             "name_en": "1–2. Subdivisions and responsible officials", "rows": [
                 _row("01", "Сыртқы байланыстарды тікелей жүзеге асыратын бөлімшелер", "Подразделения, непосредственно осуществляющие внешние связи",
                      "Subdivisions carrying out external relations directly", "COOP_SUBDIVISIONS"),
                 _row("02", "Жауапты лауазымды тұлғалар", "Ответственные должностные лица", "Responsible officials", "COOP_OFFICIALS"),
             ]},
            {"code": "3", "name_kk": "3. Шетелдіктер (жыл ішінде болғандар)", "name_ru": "3. Иностранцы (пребывавшие в течение года)",
             "name_en": "3. Foreigners (present during the year)", "rows": foreigner_rows},
            {"code": "4", "name_kk": "4. Шетелге жіберілгендер (іссапарлар)", "name_ru": "4. Направленные за рубеж (командировки)",
             "name_en": "4. Sent abroad (trips)", "rows": [
                 _row("30", "Іссапарлар барлығы", "Всего командировок", "All trips", "COOP_OUTGOING"),
                 _row("31", "оның ішінде оқуға", "в том числе на учебу", "of which for study", "COOP_OUTGOING", [["coop_purpose", "study"]]),
                 _row("32", "жұмысқа", "на работу", "for work", "COOP_OUTGOING", [["coop_purpose", "work"]]),
                 _row("33", "ғылыми зерттеуге", "на научные исследования", "for research", "COOP_OUTGOING", [["coop_purpose", "research"]]),
                 _row("34", "конференцияларға", "на конференции", "to conferences", "COOP_OUTGOING", [["coop_purpose", "conference"]]),
                 _row("35", "іссапар нәтижелері туралы есеп бергендер", "сдан отчет о результатах командировки", "with the trip report submitted",
                      "COOP_OUTGOING", [["coop_state", "reported"]]),
             ]},
            {"code": "5", "name_kk": "5–7. Жұмыс жоспары, келісімдер, байланыстар", "name_ru": "5–7. План работы, соглашения, связи",
             "name_en": "5–7. Work plan, agreements, contacts", "rows": [
                 _row("50", "Жұмыс жоспарының іс-шаралары", "Мероприятия плана работы", "Activities of the work plan", "COOP_PLAN_ITEMS"),
                 _row("51", "оның ішінде орындалғаны", "из них исполнено", "of which done", "COOP_PLAN_ITEMS", [["coop_state", "done"]]),
                 _row("60", "Жыл ішінде күшінде болған келісімдер", "Соглашения, действовавшие в течение года", "Agreements in force during the year",
                      "COOP_AGREEMENTS", [["coop_state", "in_force"]]),
                 _row("61", "Жыл ішінде қол қойылған келісімдер", "Соглашения, подписанные за год", "Agreements signed in the year", "COOP_AGREEMENTS",
                      [["coop_state", "signed"]]),
                 _row("62", "Жыл ішінде мерзімі өткен немесе бұзылған келісімдер", "Соглашения, истекшие или расторгнутые за год",
                      "Agreements expired or terminated in the year", "COOP_AGREEMENTS", [["coop_state", "ended"]]),
                 _row("70", "Дипломатиялық өкілдіктермен және ұлттық мәдени орталықтармен байланыстар",
                      "Контакты с дипломатическими представительствами и национальными культурными центрами",
                      "Contacts with diplomatic missions and national cultural centres", "COOP_CONTACTS"),
             ]},
            {"code": "8", "name_kk": "8–9. Конференциялар және шетелдіктерді оқыту", "name_ru": "8–9. Конференции и обучение иностранцев",
             "name_en": "8–9. Conferences and teaching of foreigners", "rows": [
                 _row("80", "Халықаралық конференцияларға, симпозиумдарға, семинарларға қатысу", "Участие в международных конференциях, симпозиумах, семинарах",
                      "Participation in international conferences, symposia, seminars", "COOP_CONFERENCES"),
                 _row("90", "Арнайы курстар мен арнайы семинарлар", "Спецкурсы и спецсеминары", "Special courses and seminars", "COOP_MATERIALS",
                      [["coop_material", "course"]]),
                 _row("91", "Оқулықтар, оқу құралдары, әдістемелік нұсқаулықтар", "Учебники, учебные пособия, методические указания",
                      "Textbooks, manuals, methodological guides", "COOP_MATERIALS", [["coop_material", "publication"]]),
             ]},
        ],
        "rules": [
            *[{"code": f"CAT{c}", "expression": f"r10c{c} = sum(r11c{c}:r17c{c})",
               "message_kk": f"{c}-баған: шетелдіктер барлығы санаттардың қосындысына тең болуы керек.",
               "message_ru": f"Графа {c}: всего иностранцев должно равняться сумме по категориям.",
               "message_en": f"Column {c}: all foreigners must equal the sum of the categories."} for c in (1, 2, 3)],
            *[{"code": f"PUR{c}", "expression": f"r10c{c} = sum(r18c{c}:r20c{c})",
               "message_kk": f"{c}-баған: шетелдіктер барлығы мақсаттардың қосындысына тең болуы керек.",
               "message_ru": f"Графа {c}: всего иностранцев должно равняться сумме по целям.",
               "message_en": f"Column {c}: all foreigners must equal the sum of the purposes."} for c in (1, 2, 3)],
            *[{"code": f"PART{c}", "expression": f"r10c{c} <= r10c1", "message_kk": f"{c}-баған шетелдіктер санынан аспауы керек.",
               "message_ru": f"Графа {c} не может превышать число иностранцев.", "message_en": f"Column {c} cannot exceed all foreigners."} for c in (2, 3)],
            {"code": "TRIPS", "expression": "r30c1 = sum(r31c1:r34c1)", "message_kk": "Іссапарлар барлығы мақсаттардың қосындысына тең болуы керек.",
             "message_ru": "Всего командировок должно равняться сумме по целям.", "message_en": "All trips must equal the sum of the purposes."},
            {"code": "REPORTS", "expression": "r35c1 <= r30c1", "message_kk": "Есептер саны іссапарлар санынан аспауы керек.",
             "message_ru": "Число отчетов не может превышать число командировок.", "message_en": "Reports cannot outnumber trips."},
            {"code": "PLAN", "expression": "r51c1 <= r50c1", "message_kk": "Орындалған іс-шаралар жоспардағыдан аспауы керек.",
             "message_ru": "Исполненных мероприятий не может быть больше, чем в плане.", "message_en": "Done activities cannot exceed the plan's."},
        ],
    }
