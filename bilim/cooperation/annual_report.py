"""The annual report of Appendix 2 (C7; rules §8.11): "information on the results of international
cooperation" of an organization for an academic year, in its nine sections, generated from the data.

``gather`` collects everything the report shows into plain, JSON-ready data (what a submission's
snapshot keeps); ``document`` resolves it into the words of one language (kk or ru; en for the
page); ``to_docx`` (python-docx) and ``to_pdf`` (WeasyPrint, DejaVu Sans) render it; ``form_values``
turns it into the values of the reporting form ``COOP-2`` (``annual_report_services``).

**What the year holds** (academic year, 1 September – 31 August):
§1 the subdivisions that carry out external relations directly (the international office first), as
recorded now; §2 the staff of the office (part A's ``Office``); §3 the foreigners present at some
time in the year (arrived by its end, not departed before its start); §4 the trips abroad under way
at some time in the year (cancelled ones left out); §5 the year's work plan; §6 the agreements in
force at some time in the year or signed in it; §7 their implementation notes of the year and the
contacts with diplomatic missions and national cultural centres (§8.12); §8 conference
participation in the year; §9 the organization's own account of teaching foreigners and its lists.

The headings and column titles are the law's own words, kept here as data in Kazakh and Russian
(the document's languages; English for the page's preview); the names of categories (purpose,
status …) are gettext entries looked up in the document's language."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation

from bilim.core.calendar import KZ_TZ
from bilim.core.models import OrgUnit

from . import mobility_common as common
from .agreements_selectors import with_start
from .models import (
    Agreement,
    AgreementKind,
    AgreementNote,
    ConferenceParticipation,
    MissionContact,
    PartnerKind,
    Purpose,
    Subdivision,
    TeachingMaterial,
    TeachingReport,
    Trip,
    WorkPlan,
)

LANGUAGES = ("kk", "ru", "en")
DOCUMENT_LANGUAGES = ("kk", "ru")
PDF_FONT = "DejaVu Sans"
DOCX_FONT = "Times New Roman"

# --- the law's words ---------------------------------------------------------------------------------

TITLE = {
    "kk": "{org} {year} оқу жылындағы халықаралық ынтымақтастықтың нәтижесі туралы мәліметтер",
    "ru": "Сведения о результатах международного сотрудничества {org} за {year} учебный год",
    "en": "Information on the results of international cooperation of {org} for the academic year {year}",
}
APPENDIX = {
    "kk": "Білім беру ұйымдары жүзеге асыратын халықаралық ынтымақтастықты ұйымдастыру ережесіне 2-қосымша",
    "ru": "Приложение 2 к Правилам организации международного сотрудничества, осуществляемого организациями образования",
    "en": "Appendix 2 to the Rules for organizing international cooperation carried out by education organizations",
}

SECTIONS = {
    1: {
        "kk": "Мекен жайы, орналасқан жері (корпус, бөлмесі) көрсетілген сыртқы байланыстар бойынша жұмыстарды тікелей жүзеге асыратын білім беру ұйымдарының ішкі құрылымдық бөлімшелерінің тізбегі.",
        "ru": "Перечень внутренних структурных подразделений организаций образования, непосредственно осуществляющих работу по внешним связям, с указанием адреса, местонахождения (корпус, комната).",
        "en": "List of the internal structural subdivisions that carry out external relations directly, with their address and location (building, room).",
    },
    2: {
        "kk": "Халықаралық ынтымақтастықты іске асыруға жауапты лауазымды тұлғалардың тегі, аты, әкесінің аты (ол болған жағдайда) және жұмыс және үй телефоны көрсетілген тізім.",
        "ru": "Список должностных лиц, ответственных за осуществление международного сотрудничества, с указанием фамилии, имени, отчества (при его наличии), рабочего и домашнего телефонов.",
        "en": "List of the officials responsible for international cooperation with their surname, name, patronymic (if any), work and home phone.",
    },
    3: {
        "kk": "Шетелдіктер (шетелдік қазақ диаспорасы, қандастар және ТМД азаматтары өкілдері қосқанда) тегі, аты, әкесінің аты (ол болған жағдайда), туған жылы, болатын елі, болу бағыты, мамандығы, курсы, тұратын жері оқуы (жұмысы, зерттеу жүргізу), аяқталатын болжамды күні көрсетілген тізімі.",
        "ru": "Список иностранцев (включая представителей казахской диаспоры за рубежом, кандасов и граждан СНГ) с указанием фамилии, имени, отчества (при его наличии), года рождения, страны, направления пребывания, специальности, курса, места проживания, учебы (работы, проведения исследований), предполагаемой даты окончания.",
        "en": "List of foreigners (including the Kazakh diaspora abroad, kandas and citizens of the CIS) with surname, name, patronymic (if any), year of birth, country, basis of the stay, specialty, year of study, residence, study (work, research) and expected end date.",
    },
    4: {
        "kk": "Білім беру ұйымынан шетелге оқуға, жұмысқа, ғылыми зерттеу жұмыстарын жүргізуге жіберілген Қазақстан Республикасы азаматтарының тегі, аты, әкесінің аты (ол болған жағдайда), туған жылы, Қазақстанда тұратын жері және шетелде уақытша тұратын жері, мақсаты, мерзімі, шетелдік іссапарының орны, Қазақстан Республикасына қайтып келетін күні көрсетілген тізім.",
        "ru": "Список граждан Республики Казахстан, направленных организацией образования за рубеж на учебу, работу, проведение научных исследований, с указанием фамилии, имени, отчества (при его наличии), года рождения, места проживания в Казахстане и места временного проживания за рубежом, цели, срока, места зарубежной командировки, даты возвращения в Республику Казахстан.",
        "en": "List of citizens of the Republic of Kazakhstan sent abroad by the organization for study, work or research, with surname, name, patronymic (if any), year of birth, residence in Kazakhstan and temporary residence abroad, purpose, period, place of the trip and date of return to the Republic of Kazakhstan.",
    },
    5: {
        "kk": "Халықаралық ынтымақтастық бойынша білім беру ұйымдарының жылдық жұмыс жоспарының көшірмесі.",
        "ru": "Копия годового плана работы организации образования по международному сотрудничеству.",
        "en": "Copy of the organization's annual work plan of international cooperation.",
    },
    6: {
        "kk": "Шетелдік заңды және жеке тұлғалармен жасалған ынтымақтастық келісім-шарттарының, келісімдерінің, шарттарының, жұмыс бағдарламаларының көшірмелері.",
        "ru": "Копии договоров, соглашений, контрактов, рабочих программ о сотрудничестве с иностранными юридическими и физическими лицами.",
        "en": "Copies of the contracts, agreements and work programmes of cooperation with foreign legal and natural persons.",
    },
    7: {
        "kk": "Шетелдік заңды және жеке тұлғалармен жасалған ынтымақтастық келісім-шарттарының, келісімдерін, шарттарын, жұмыс бағдарламаларын іске асыру туралы қысқаша мәліметтер.",
        "ru": "Краткие сведения о реализации договоров, соглашений, контрактов, рабочих программ о сотрудничестве с иностранными юридическими и физическими лицами.",
        "en": "Brief information on the implementation of the contracts, agreements and work programmes of cooperation with foreign legal and natural persons.",
    },
    8: {
        "kk": "Халықаралық ғылыми, ғылыми-практикалық және ғылыми-әдістемелік конференцияларға, симпозиумдарға, семинарларға білім беру ұйымдары қызметкерлерінің қатысуы туралы қысқаша ақпарат.",
        "ru": "Краткая информация об участии работников организации образования в международных научных, научно-практических и научно-методических конференциях, симпозиумах, семинарах.",
        "en": "Brief information on the participation of the organization's staff in international scientific, scientific-practical and scientific-methodological conferences, symposia and seminars.",
    },
    9: {
        "kk": "Шетелдіктермен жинақталған топтар, тілдік даярлықты ұйымдастыру, үлгерімі нашарлармен жұмыс, шетелдіктерді оқытумен айналысатын оқытушылардың біліктілігін көтеру жүйесін ұйымдастыру, шетелдіктердің білім алушылармен және педагог және ғылыми қызметкерлерімен жеке жоспарларды орындау туралы, шетелдіктердің болашақтағы еңбек қызметінің ерекшеліктерін есепке алатын арнайы курстар, арнайы семинарлар тізімі, шетелдіктер - білім алушылар үшін педагог және ғылыми қызметкерлермен дайындалған оқулықтар, оқу құралдары, әдістемелік нұсқаулықтар тізімін қоса қарастыру принципімен оқу үдерісін, әдістемелік, ғылыми-зерттеу және тәрбие жұмыстарын ұйымдастыру туралы қысқаша ақпарат.",
        "ru": "Краткая информация об организации учебного процесса, методической, научно-исследовательской и воспитательной работы по принципу смешанных групп с иностранцами, организации языковой подготовки, работы с неуспевающими, организации системы повышения квалификации преподавателей, занимающихся обучением иностранцев, о выполнении индивидуальных планов иностранцами – обучающимися и педагогическими и научными работниками, перечень спецкурсов, спецсеминаров, учитывающих особенности будущей трудовой деятельности иностранцев, учебников, учебных пособий, методических указаний, подготовленных педагогическими и научными работниками для иностранцев – обучающихся.",
        "en": "Brief information on the organization of teaching, methodological, research and educational work in mixed groups with foreigners, language preparation, work with students who fall behind, professional development of the teachers of foreigners, the fulfilment of individual plans by foreign students and staff; the list of special courses and seminars that take into account the foreigners' future work, and of the textbooks, manuals and methodological guides prepared for foreign students.",
    },
}

WORDS = {
    "no": {"kk": "№", "ru": "№", "en": "No."},
    "none": {"kk": "Мәліметтер жоқ.", "ru": "Сведений нет.", "en": "No records."},
    "generated": {"kk": "Деректерден жасалды", "ru": "Сформировано из данных", "en": "Generated from the data"},
    "kz_time": {"kk": "Қазақстан уақыты", "ru": "время Казахстана", "en": "Kazakhstan time"},
    "period": {"kk": "Кезең", "ru": "Период", "en": "Period"},
    "bin": {"kk": "БСН", "ru": "БИН", "en": "BIN"},
    "name": {"kk": "Атауы", "ru": "Наименование", "en": "Name"},
    "address": {"kk": "Мекен жайы", "ru": "Адрес", "en": "Address"},
    "building": {"kk": "Корпус", "ru": "Корпус", "en": "Building"},
    "room": {"kk": "Бөлме", "ru": "Комната", "en": "Room"},
    "phone": {"kk": "Телефон", "ru": "Телефон", "en": "Phone"},
    "full_name": {"kk": "Тегі, аты, әкесінің аты", "ru": "Фамилия, имя, отчество", "en": "Surname, name, patronymic"},
    "position": {"kk": "Лауазымы", "ru": "Должность", "en": "Position"},
    "work_phone": {"kk": "Жұмыс телефоны", "ru": "Рабочий телефон", "en": "Work phone"},
    "home_phone": {"kk": "Үй телефоны", "ru": "Домашний телефон", "en": "Home phone"},
    "birth_year": {"kk": "Туған жылы", "ru": "Год рождения", "en": "Year of birth"},
    "country": {"kk": "Елі", "ru": "Страна", "en": "Country"},
    "basis": {"kk": "Болу бағыты", "ru": "Направление пребывания", "en": "Basis of the stay"},
    "specialty": {"kk": "Мамандығы", "ru": "Специальность", "en": "Specialty"},
    "course": {"kk": "Курсы", "ru": "Курс", "en": "Year"},
    "residence": {"kk": "Тұратын жері", "ru": "Место проживания", "en": "Residence"},
    "activity": {"kk": "Оқуы (жұмысы, зерттеу жүргізу)", "ru": "Учеба (работа, исследования)", "en": "Study (work, research)"},
    "expected_end": {"kk": "Аяқталатын болжамды күні", "ru": "Предполагаемая дата окончания", "en": "Expected end"},
    "home": {"kk": "Қазақстанда тұратын жері", "ru": "Место проживания в Казахстане", "en": "Residence in Kazakhstan"},
    "abroad": {"kk": "Шетелде уақытша тұратын жері", "ru": "Место временного проживания за рубежом", "en": "Temporary residence abroad"},
    "purpose": {"kk": "Мақсаты", "ru": "Цель", "en": "Purpose"},
    "term": {"kk": "Мерзімі", "ru": "Срок", "en": "Period"},
    "place": {"kk": "Іссапар орны", "ru": "Место командировки", "en": "Place of the trip"},
    "return": {"kk": "Қайтып келетін күні", "ru": "Дата возвращения", "en": "Date of return"},
    "plan_activity": {"kk": "Іс-шара", "ru": "Мероприятие", "en": "Activity"},
    "responsible": {"kk": "Жауапты", "ru": "Ответственный", "en": "Responsible"},
    "due": {"kk": "Орындау мерзімі", "ru": "Срок исполнения", "en": "Due"},
    "done": {"kk": "Орындалуы", "ru": "Отметка об исполнении", "en": "Done"},
    "done_yes": {"kk": "орындалды", "ru": "исполнено", "en": "done"},
    "done_no": {"kk": "орындалмады", "ru": "не исполнено", "en": "not done"},
    "plan_approved": {"kk": "Жоспар бекітілген күн", "ru": "План утвержден", "en": "Plan approved on"},
    "agreement": {"kk": "Құжат", "ru": "Документ", "en": "Document"},
    "kind": {"kk": "Түрі", "ru": "Вид", "en": "Type"},
    "partner": {"kk": "Әріптес", "ru": "Партнер", "en": "Partner"},
    "signed": {"kk": "Қол қойылған күні", "ru": "Дата подписания", "en": "Signed on"},
    "valid": {"kk": "Қолданылу мерзімі", "ru": "Срок действия", "en": "Valid"},
    "unlimited": {"kk": "мерзімсіз", "ru": "бессрочно", "en": "no time limit"},
    "status": {"kk": "Мәртебесі", "ru": "Статус", "en": "Status"},
    "copy": {"kk": "Көшірме", "ru": "Копия", "en": "Copy"},
    "copy_annex": {"kk": "қосымшада", "ru": "в приложении", "en": "annexed"},
    "copy_missing": {"kk": "жоқ", "ru": "нет", "en": "none"},
    "copy_stored": {"kk": "жүйеде сақталған (PDF)", "ru": "хранится в системе (PDF)", "en": "stored in the system (PDF)"},
    "implementation": {"kk": "Іске асыру барысы", "ru": "Ход реализации", "en": "Implementation"},
    "date": {"kk": "Күні", "ru": "Дата", "en": "Date"},
    "contacts_heading": {"kk": "Шет мемлекеттердің дипломатиялық өкілдіктерімен және ұлттық мәдени орталықтарымен байланыстар (Ереженің 8-тармағының 12-тармақшасы)",
                         "ru": "Связи с дипломатическими представительствами иностранных государств и национальными культурными центрами (подпункт 12) пункта 8 Правил)",
                         "en": "Contacts with diplomatic missions of foreign states and national cultural centres (rules §8.12)"},
    "counterpart": {"kk": "Өкілдік немесе орталық", "ru": "Представительство или центр", "en": "Mission or centre"},
    "form": {"kk": "Байланыс нысаны", "ru": "Форма контакта", "en": "Form"},
    "subject": {"kk": "Мәселесі", "ru": "Вопрос", "en": "Subject"},
    "outcome": {"kk": "Нәтижесі", "ru": "Результат", "en": "Outcome"},
    "participant": {"kk": "Қатысушы", "ru": "Участник", "en": "Participant"},
    "subdivision": {"kk": "Бөлімше", "ru": "Подразделение", "en": "Subdivision"},
    "event": {"kk": "Іс-шара", "ru": "Мероприятие", "en": "Event"},
    "role": {"kk": "Қатысу түрі", "ru": "Форма участия", "en": "Role"},
    "paper": {"kk": "Баяндама", "ru": "Доклад", "en": "Paper"},
    "materials": {"kk": "Арнайы курстар, арнайы семинарлар, оқулықтар, оқу құралдары, әдістемелік нұсқаулықтар",
                  "ru": "Спецкурсы, спецсеминары, учебники, учебные пособия, методические указания",
                  "en": "Special courses, special seminars, textbooks, manuals, methodological guides"},
    "title_col": {"kk": "Атауы", "ru": "Название", "en": "Title"},
    "authors": {"kk": "Авторлары", "ru": "Авторы", "en": "Authors"},
    "annex": {"kk": "Қосымша: келісімдердің қол қойылған көшірмелері", "ru": "Приложение: подписанные копии соглашений", "en": "Annex: signed copies of the agreements"},
    "office": {"kk": "Халықаралық ынтымақтастық қызметі", "ru": "Служба международного сотрудничества", "en": "International cooperation service"},
    "foreigner_flags": {"kk": "белгі", "ru": "отметка", "en": "flag"},
    "diaspora": {"kk": "диаспора", "ru": "диаспора", "en": "diaspora"},
    "kandas": {"kk": "қандас", "ru": "кандас", "en": "kandas"},
    "cis": {"kk": "ТМД", "ru": "СНГ", "en": "CIS"},
    "summary": {"kk": "Негізгі көрсеткіштер", "ru": "Основные показатели", "en": "Main figures"},
}

TEACHING_LABELS = {
    "mixed_groups": {"kk": "Шетелдіктермен жинақталған топтардағы оқу, әдістемелік, ғылыми-зерттеу және тәрбие жұмысы",
                     "ru": "Учебная, методическая, научно-исследовательская и воспитательная работа в смешанных группах с иностранцами",
                     "en": "Teaching, methodological, research and educational work in mixed groups"},
    "language_training": {"kk": "Тілдік даярлықты ұйымдастыру", "ru": "Организация языковой подготовки", "en": "Language preparation"},
    "low_achievers": {"kk": "Үлгерімі нашарлармен жұмыс", "ru": "Работа с неуспевающими", "en": "Work with students who fall behind"},
    "teacher_training": {"kk": "Шетелдіктерді оқытумен айналысатын оқытушылардың біліктілігін көтеру",
                         "ru": "Повышение квалификации преподавателей, занимающихся обучением иностранцев",
                         "en": "Professional development of the teachers of foreigners"},
    "individual_plans": {"kk": "Жеке жоспарлардың орындалуы", "ru": "Выполнение индивидуальных планов", "en": "Fulfilment of individual plans"},
}
TEACHING_FIELDS = tuple(TEACHING_LABELS)


def word(key: str, language: str) -> str:
    return WORDS[key].get(language) or WORDS[key]["ru"]


# --- gathering the data ----------------------------------------------------------------------------

def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _names(obj) -> dict[str, str]:
    return {lang: getattr(obj, f"name_{lang}", "") or "" for lang in LANGUAGES}


def gather(unit: OrgUnit, year: str, *, now: datetime | None = None) -> dict[str, Any]:
    """Everything the report shows, as plain data (codes, not labels; ISO dates). The caller has
    checked that the user may read the organization's records."""
    first, last = common.year_bounds(year)
    now = now or timezone.now()
    data: dict[str, Any] = {
        "year": year, "first": first.isoformat(), "last": last.isoformat(), "generated_at": now.isoformat(),
        "organization": {"id": unit.pk, "names": _names(unit), "bin": unit.bin, "kato": unit.kato},
    }
    data["s1"], data["s2"] = _office(unit)
    data["s3"] = _foreigners(unit, first, last)
    data["s4"] = _trips(unit, first, last)
    data["s5"] = _work_plan(unit, year)
    data["s6"], data["s7"] = _agreements(unit, first, last)
    data["contacts"] = [
        {"on": _iso(c.on), "kind": c.counterpart_kind, "counterpart": c.counterpart, "country": c.country, "form": c.form,
         "subject": c.subject, "outcome": c.outcome}
        for c in MissionContact.objects.filter(org_unit=unit, on__gte=first, on__lte=last).order_by("on", "pk")
    ]
    data["s8"] = [
        {"person": c.person.full_name, "subdivision": _names(c.subdivision) if c.subdivision else None, "kind": c.kind, "title": c.title,
         "country": c.country, "city": c.city, "from": _iso(c.starts_on), "to": _iso(c.ends_on), "role": c.role, "format": c.format,
         "paper": c.paper}
        for c in ConferenceParticipation.objects.filter(org_unit=unit, starts_on__lte=last, ends_on__gte=first)
        .select_related("person", "subdivision").order_by("starts_on", "pk")
    ]
    data["s9"] = _teaching(unit, year)
    return data


def _office(unit: OrgUnit) -> tuple[list[dict], list[dict]]:
    from .models import Office

    subdivisions, staff = [], []
    office = Office.objects.filter(org_unit=unit).prefetch_related("staff").first()
    if office is not None:
        subdivisions.append({"names": {lang: office.name or "" for lang in LANGUAGES}, "office": True, "address": office.address,
                             "building": office.building, "room": office.room, "phone": ""})
        staff = [{"full_name": s.full_name, "position": s.position, "work_phone": s.work_phone, "home_phone": s.home_phone}
                 for s in office.staff.all()]
    for s in Subdivision.objects.filter(org_unit=unit, external_relations=True, is_active=True).order_by("name_kk"):
        subdivisions.append({"names": _names(s), "office": False, "address": s.address, "building": s.building, "room": s.room, "phone": s.phone})
    return subdivisions, staff


def _foreigners(unit: OrgUnit, first: date, last: date) -> list[dict]:
    """Foreigners present at some time in the year. Reads no special-category column."""
    from .models import Foreigner

    rows = (Foreigner.objects.filter(org_unit=unit, arrival_date__lte=last).filter(Q(departure_date__isnull=True) | Q(departure_date__gte=first))
            .only("surname_latin", "given_names_latin", "last_name", "first_name", "patronymic", "birth_date", "citizenship", "is_cis",
                  "basis", "specialty", "course", "accommodation", "accommodation_address", "category", "expected_end_date",
                  "is_diaspora", "is_kandas", "arrival_date", "departure_date")
            .order_by("surname_latin", "given_names_latin", "pk"))
    result = []
    for f in rows:
        result.append({
            "name": f.name_cyrillic or f.name_latin, "name_latin": f.name_latin, "birth_year": f.birth_date.year, "country": f.citizenship,
            "basis": f.basis, "specialty": f.specialty, "course": f.course, "accommodation": f.accommodation,
            "residence": f.accommodation_address, "category": f.category, "purpose": f.purpose, "expected_end": _iso(f.expected_end_date),
            "diaspora": bool(f.is_diaspora), "kandas": bool(f.is_kandas), "cis": bool(f.is_cis),
            "arrived": _iso(f.arrival_date), "departed": _iso(f.departure_date),
        })
    return result


def _trips(unit: OrgUnit, first: date, last: date) -> list[dict]:
    rows = (Trip.objects.filter(org_unit=unit, starts_on__lte=last).exclude(status=Trip.Status.CANCELLED)
            .filter(Q(returned_on__isnull=False, returned_on__gte=first) | Q(returned_on__isnull=True, ends_on__gte=first))
            .select_related("person", "subdivision").order_by("starts_on", "pk"))
    return [{
        "name": t.person.full_name, "birth_year": t.person.birth_year, "home": t.person.home_address, "abroad": t.address_abroad,
        "purpose": t.purpose, "from": _iso(t.starts_on), "to": _iso(t.ends_on), "country": t.country, "city": t.city,
        "host": t.host_organization, "returned": _iso(t.returned_on), "status": t.status, "reported": t.status == Trip.Status.REPORTED,
    } for t in rows]


def _work_plan(unit: OrgUnit, year: str) -> dict:
    plan = WorkPlan.objects.filter(org_unit=unit, year=year).first()
    if plan is None:
        return {"exists": False, "approved_on": None, "items": []}
    return {"exists": True, "approved_on": _iso(plan.approved_on), "items": [
        {"number": i.number, "activity": i.activity, "responsible": i.responsible, "due": _iso(i.due_on), "done": i.done,
         "done_on": _iso(i.done_on), "result": i.result}
        for i in plan.items.order_by("number", "pk")
    ]}


def agreements_of_year(unit: OrgUnit, first: date, last: date):
    """Agreements in force at some time in the year, or signed in it."""
    in_force = (Q(activated_on__isnull=False, activated_on__lte=last, start__lte=last)
                & (Q(valid_to__isnull=True) | Q(valid_to__gte=first)) & (Q(terminated_on__isnull=True) | Q(terminated_on__gte=first)))
    signed = Q(signed_on__gte=first, signed_on__lte=last)
    return with_start(Agreement.objects.filter(org_unit=unit)).filter(in_force | signed).select_related("partner")


def _agreements(unit: OrgUnit, first: date, last: date) -> tuple[list[dict], list[dict]]:
    rows = list(agreements_of_year(unit, first, last).order_by("signed_on", "pk"))
    notes: dict[int, list[dict]] = {}
    for n in AgreementNote.objects.filter(agreement__in=rows, on__gte=first, on__lte=last).order_by("on", "pk"):
        notes.setdefault(n.agreement_id, []).append({"on": _iso(n.on), "text": n.text})
    s6 = []
    for a in rows:
        in_force = bool(a.activated_on and a.activated_on <= last and a.start and a.start <= last and (a.valid_to is None or a.valid_to >= first)
                        and (a.terminated_on is None or a.terminated_on >= first))
        s6.append({
            "id": a.pk, "title": a.title, "number": a.number, "kind": a.kind, "partner": a.partner.name, "partner_kind": a.partner.kind,
            "country": a.partner.country, "city": a.partner.city, "signed_on": _iso(a.signed_on), "valid_from": _iso(a.valid_from),
            "valid_to": _iso(a.valid_to), "status": a.status, "in_force": in_force, "has_copy": bool(a.signed_copy),
            "copy_sha256": a.signed_copy_sha256, "ended": bool(
                (a.status == Agreement.Status.EXPIRED and a.valid_to and first <= a.valid_to <= last)
                or (a.status == Agreement.Status.TERMINATED and a.activated_on and a.terminated_on and first <= a.terminated_on <= last)),
            "signed_in_year": bool(a.signed_on and first <= a.signed_on <= last),
        })
    s7 = [{"id": a.pk, "title": a.title, "partner": a.partner.name, "notes": notes.get(a.pk, [])} for a in rows if notes.get(a.pk)]
    return s6, s7


def _teaching(unit: OrgUnit, year: str) -> dict:
    report = TeachingReport.objects.filter(org_unit=unit, year=year).first()
    if report is None:
        return {"texts": {key: "" for key in TEACHING_FIELDS}, "materials": []}
    return {"texts": {key: getattr(report, key) for key in TEACHING_FIELDS},
            "materials": [{"kind": m.kind, "title": m.title, "authors": m.authors} for m in report.materials.order_by("kind", "pk")]}


# --- the figures for the reporting form COOP-2 ------------------------------------------------------

FOREIGNER_ROWS = {"preparatory": "11", "bachelor": "12", "master": "13", "doctoral": "14", "exchange": "15", "teacher": "16", "researcher": "17"}
FOREIGNER_PURPOSE_ROWS = {"study": "18", "work": "19", "research": "20"}
TRIP_ROWS = {Purpose.STUDY: "31", Purpose.WORK: "32", Purpose.RESEARCH: "33", Purpose.CONFERENCE: "34"}
COURSE_KINDS = (TeachingMaterial.Kind.SPECIAL_COURSE, TeachingMaterial.Kind.SPECIAL_SEMINAR)


def figures(data: dict[str, Any]) -> dict[str, int]:
    """The report's counts as values of the cells of form COOP-2 (``annual_report_forms``)."""
    values: dict[str, int] = {"r01c1": len(data["s1"]), "r02c1": len(data["s2"])}
    foreigners = data["s3"]
    for column, test in (("1", lambda f: True), ("2", lambda f: f["diaspora"] or f["kandas"]), ("3", lambda f: f["cis"])):
        chosen = [f for f in foreigners if test(f)]
        values[f"r10c{column}"] = len(chosen)
        for category, row in FOREIGNER_ROWS.items():
            values[f"r{row}c{column}"] = sum(1 for f in chosen if f["category"] == category)
        for purpose, row in FOREIGNER_PURPOSE_ROWS.items():
            values[f"r{row}c{column}"] = sum(1 for f in chosen if f["purpose"] == purpose)
    trips = data["s4"]
    values["r30c1"] = len(trips)
    for purpose, row in TRIP_ROWS.items():
        values[f"r{row}c1"] = sum(1 for t in trips if t["purpose"] == purpose)
    values["r35c1"] = sum(1 for t in trips if t["reported"])
    values["r50c1"] = len(data["s5"]["items"])
    values["r51c1"] = sum(1 for i in data["s5"]["items"] if i["done"])
    values["r60c1"] = sum(1 for a in data["s6"] if a["in_force"])
    values["r61c1"] = sum(1 for a in data["s6"] if a["signed_in_year"])
    values["r62c1"] = sum(1 for a in data["s6"] if a["ended"])
    values["r70c1"] = len(data["contacts"])
    values["r80c1"] = len(data["s8"])
    values["r90c1"] = sum(1 for m in data["s9"]["materials"] if m["kind"] in COURSE_KINDS)
    values["r91c1"] = sum(1 for m in data["s9"]["materials"] if m["kind"] not in COURSE_KINDS)
    return values


# --- the document in one language -------------------------------------------------------------------

def _date(value: str | None, language: str) -> str:
    if not value:
        return ""
    day = date.fromisoformat(value)
    return day.strftime("%d.%m.%Y")


def _period(start: str | None, end: str | None, language: str) -> str:
    return f"{_date(start, language)} – {_date(end, language)}"


def _label(choices, value: str | None, language: str) -> str:
    if not value:
        return ""
    with translation.override(language):
        return str(dict(choices.choices).get(value, value))


def _localized(names: dict[str, str] | None, language: str) -> str:
    if not names:
        return ""
    for code in (language, "kk", "ru", "en"):
        if names.get(code):
            return names[code]
    return ""


def document(data: dict[str, Any], language: str, *, annexed: bool = False) -> dict[str, Any]:
    """The report resolved into the words of ``language``: a title, and per section its number, the
    law's heading, column titles and rows of text (what the page, the DOCX and the PDF show).
    ``annexed``: the signed copies follow the document (the PDF), so §6 says "annexed"."""
    from .models import Accommodation, Basis, Category, StayPurpose

    lang = language if language in LANGUAGES else "kk"
    w = lambda key: word(key, lang)  # noqa: E731
    org = _localized(data["organization"]["names"], lang)
    year = data["year"].replace("-", "–")
    cname = lambda code: common.country_name(code, lang)  # noqa: E731
    sections: list[dict[str, Any]] = []

    def section(number: int, columns: list[str], rows: list[list[str]], **extra) -> None:
        sections.append({"number": number, "heading": SECTIONS[number][lang], "columns": columns, "rows": rows, **extra})

    section(1, [w("no"), w("name"), w("address"), w("building"), w("room"), w("phone")], [
        [str(n), _localized(s["names"], lang) or w("office"), s["address"], s["building"], s["room"], s["phone"]]
        for n, s in enumerate(data["s1"], start=1)])
    section(2, [w("no"), w("full_name"), w("position"), w("work_phone"), w("home_phone")], [
        [str(n), s["full_name"], s["position"], s["work_phone"], s["home_phone"]] for n, s in enumerate(data["s2"], start=1)])

    def flags(f) -> str:
        return ", ".join(w(key) for key in ("diaspora", "kandas", "cis") if f[key])

    def residence(f) -> str:
        kind = _label(Accommodation, f["accommodation"], lang)
        return f"{kind}: {f['residence']}" if f["residence"] else kind

    section(3, [w("no"), w("full_name"), w("birth_year"), w("country"), w("basis"), w("specialty"), w("course"), w("residence"),
                w("activity"), w("expected_end")], [
        [str(n), f["name"] + (f" ({flags(f)})" if flags(f) else ""), str(f["birth_year"]), cname(f["country"]), _label(Basis, f["basis"], lang),
         " · ".join(p for p in (_label(Category, f["category"], lang), f["specialty"]) if p), str(f["course"] or ""), residence(f),
         _label(StayPurpose, f["purpose"], lang), _date(f["expected_end"], lang)]
        for n, f in enumerate(data["s3"], start=1)])
    section(4, [w("no"), w("full_name"), w("birth_year"), w("home"), w("abroad"), w("purpose"), w("term"), w("place"), w("return")], [
        [str(n), t["name"], str(t["birth_year"]), t["home"], t["abroad"], _label(Purpose, t["purpose"], lang), _period(t["from"], t["to"], lang),
         f"{cname(t['country'])}, {t['city']}, {t['host']}", _date(t["returned"] or t["to"], lang)]
        for n, t in enumerate(data["s4"], start=1)])
    plan = data["s5"]
    section(5, [w("no"), w("plan_activity"), w("responsible"), w("due"), w("done")], [
        [str(i["number"]), i["activity"], i["responsible"], _date(i["due"], lang),
         (f"{w('done_yes')} {_date(i['done_on'], lang)}" + (f". {i['result']}" if i["result"] else "")) if i["done"] else w("done_no")]
        for i in plan["items"]], note=f"{w('plan_approved')}: {_date(plan['approved_on'], lang)}" if plan.get("approved_on") else "")

    def validity(a) -> str:
        if not a["valid_from"] and not a["valid_to"]:
            return ""
        return f"{_date(a['valid_from'], lang)} – {_date(a['valid_to'], lang) if a['valid_to'] else w('unlimited')}"

    with translation.override(lang):
        status_labels = {value: str(label) for value, label in Agreement.Status.choices}
    section(6, [w("no"), w("agreement"), w("kind"), w("partner"), w("country"), w("signed"), w("valid"), w("status"), w("copy")], [
        [str(n), a["title"] + (f" № {a['number']}" if a["number"] else ""), _label(AgreementKind, a["kind"], lang),
         f"{a['partner']} ({_label(PartnerKind, a['partner_kind'], lang)})", cname(a["country"]), _date(a["signed_on"], lang), validity(a),
         status_labels.get(a["status"], a["status"]), (w("copy_annex") if annexed else w("copy_stored")) if a["has_copy"] else w("copy_missing")]
        for n, a in enumerate(data["s6"], start=1)])
    section(7, [w("no"), w("agreement"), w("partner"), w("implementation")], [
        [str(n), a["title"], a["partner"], "\n".join(f"{_date(note['on'], lang)}: {note['text']}" for note in a["notes"])]
        for n, a in enumerate(data["s7"], start=1)],
        subtable={"heading": w("contacts_heading"), "columns": [w("no"), w("date"), w("counterpart"), w("country"), w("form"), w("subject"), w("outcome")],
                  "rows": [[str(n), _date(c["on"], lang), f"{c['counterpart']} ({_label(MissionContact.Counterpart, c['kind'], lang)})",
                            cname(c["country"]), _label(MissionContact.Form, c["form"], lang), c["subject"], c["outcome"]]
                           for n, c in enumerate(data["contacts"], start=1)]})
    section(8, [w("no"), w("participant"), w("subdivision"), w("event"), w("place"), w("term"), w("role"), w("paper")], [
        [str(n), c["person"], _localized(c["subdivision"], lang), f"{c['title']} ({_label(ConferenceParticipation.Kind, c['kind'], lang)})",
         f"{cname(c['country'])}, {c['city']}" + (f" ({_label(ConferenceParticipation.Format, c['format'], lang)})" if c["format"] == "online" else ""),
         _period(c["from"], c["to"], lang), _label(ConferenceParticipation.Role, c["role"], lang), c["paper"]]
        for n, c in enumerate(data["s8"], start=1)])
    teaching = data["s9"]
    section(9, [w("no"), w("kind"), w("title_col"), w("authors")], [
        [str(n), _label(TeachingMaterial.Kind, m["kind"], lang), m["title"], m["authors"]] for n, m in enumerate(teaching["materials"], start=1)],
        paragraphs=[{"label": TEACHING_LABELS[key][lang], "text": teaching["texts"].get(key, "")} for key in TEACHING_FIELDS if teaching["texts"].get(key)],
        table_heading=w("materials"))
    generated = datetime.fromisoformat(data["generated_at"]).astimezone(KZ_TZ)
    return {
        "language": lang, "title": TITLE[lang].format(org=org, year=year), "appendix": APPENDIX[lang], "organization": org,
        "bin": data["organization"]["bin"], "year": year, "period": _period(data["first"], data["last"], lang), "sections": sections,
        "words": {key: word(key, lang) for key in WORDS},
        "generated": f"{w('generated')}: {generated.strftime('%d.%m.%Y %H:%M')} ({w('kz_time')})",
    }


# --- DOCX -------------------------------------------------------------------------------------------

def to_docx(data: dict[str, Any], language: str) -> bytes:
    """The report as a Word document: A4 landscape, Times New Roman, the appendix note top right,
    the title, then each section's number and the law's heading followed by its table (or "no
    records"), §9's paragraphs and list."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc_data = document(data, language)
    doc = Document()
    page = doc.sections[0]
    page.orientation = WD_ORIENT.LANDSCAPE
    page.page_width, page.page_height = Mm(297), Mm(210)
    page.left_margin = page.right_margin = Mm(15)
    page.top_margin = page.bottom_margin = Mm(15)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = DOCX_FONT, Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), DOCX_FONT)
    doc.core_properties.title = doc_data["title"]
    doc.core_properties.language = {"kk": "kk-KZ", "ru": "ru-RU"}.get(doc_data["language"], "en")

    appendix = doc.add_paragraph(doc_data["appendix"])
    appendix.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    appendix.runs[0].font.size = Pt(9)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(doc_data["title"])
    run.bold, run.font.size = True, Pt(13)
    facts = doc.add_paragraph(f"{doc_data['words']['period']}: {doc_data['period']}" + (f" · {doc_data['words']['bin']}: {doc_data['bin']}" if doc_data["bin"] else ""))
    facts.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def table(columns: list[str], rows: list[list[str]]) -> None:
        if not rows:
            empty = doc.add_paragraph(doc_data["words"]["none"])
            empty.runs[0].italic = True
            return
        grid = doc.add_table(rows=1, cols=len(columns))
        grid.style = "Table Grid"
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(grid.rows[0].cells, columns):
            cell.text = ""
            head = cell.paragraphs[0].add_run(text)
            head.bold, head.font.size = True, Pt(9)
        for row in rows:
            cells = grid.add_row().cells
            for cell, text in zip(cells, row):
                cell.text = ""
                lines = str(text or "").split("\n")
                cell.paragraphs[0].add_run(lines[0]).font.size = Pt(9)
                for line in lines[1:]:
                    cell.add_paragraph().add_run(line).font.size = Pt(9)

    for section in doc_data["sections"]:
        heading = doc.add_paragraph()
        heading.paragraph_format.space_before = Pt(10)
        heading.paragraph_format.keep_with_next = True
        head = heading.add_run(f"{section['number']}. {section['heading']}")
        head.bold = True
        if section.get("note"):
            doc.add_paragraph(section["note"])
        for paragraph in section.get("paragraphs", []):
            p = doc.add_paragraph()
            label = p.add_run(f"{paragraph['label']}. ")
            label.bold = True
            p.add_run(paragraph["text"])
        if section.get("table_heading"):
            sub = doc.add_paragraph()
            sub.add_run(section["table_heading"]).italic = True
        table(section["columns"], section["rows"])
        if section.get("subtable"):
            sub = doc.add_paragraph()
            sub.paragraph_format.space_before = Pt(6)
            sub.add_run(section["subtable"]["heading"]).italic = True
            table(section["subtable"]["columns"], section["subtable"]["rows"])
    footer = page.footer.paragraphs[0]
    footer.text = doc_data["generated"]
    footer.runs[0].font.size = Pt(8)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF --------------------------------------------------------------------------------------------

class PdfFontError(RuntimeError):
    pass


def to_pdf(data: dict[str, Any], language: str, *, copies: list[tuple[str, bytes]] | None = None) -> bytes:
    """The report as PDF (A4 landscape, DejaVu Sans: every Kazakh letter), followed by the signed
    copies of the agreements of §6 (``copies``: (title, PDF bytes)) as its annex, so that §6's
    "copies" are in the document itself."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    doc_data = document(data, language, annexed=bool(copies))
    html = render_to_string("cooperation/report/appendix2_pdf.html", {"doc": doc_data, "font": PDF_FONT, "annex": [t for t, _b in copies or []]})
    rendered = HTML(string=html).render()
    main = rendered.write_pdf()
    families = {getattr(font, "family", None) for font in rendered.fonts.values()}
    if PDF_FONT not in families:
        raise PdfFontError(f"the PDF was set in {sorted(str(f) for f in families)}, not {PDF_FONT}: install fonts-dejavu-core")
    if not copies:
        return main
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(main)))
    for title, content in copies:
        try:
            writer.append(PdfReader(io.BytesIO(content)), outline_item=title)
        except (PdfReadError, ValueError, KeyError, OSError):
            continue  # a copy that can no longer be read is listed in §6 but not annexed
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
