"""Demo of outgoing mobility, agreements and the annual report at ENU (``university:710000000``, whose
international officer ``intl.enu`` and head ``head.enu`` are demo logins of ``core.demo.DEMO_USERS``).

Dates are relative to the day the demo is seeded, so the pages look alive whenever it runs: the last
finished academic year is full (an approved plan of trips, trips reported, agreements in several
statuses with implementation notes and signed copies, contacts with missions, conferences, the work
plan and the §9 text) and its Appendix 2 campaign is open; in the current year a plan is approved
and its next version drafted, one person is abroad, one trip is being prepared and one returned
trip's report is overdue (the daily reminders have run). Every write goes through the services."""

from __future__ import annotations

import zlib
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from bilim.core.calendar import KZ_TZ
from bilim.core.models import Level, OrgKind, OrgUnit, Role, RoleGrant, User

from . import agreements_services as agreements
from . import annual_report_services as report
from . import mobility_common as common
from . import mobility_services as mobility
from .models import Agreement, Subdivision, Trip, TripReport

SUBDIVISIONS = [
    # kk, ru, en, external relations, building, room, phone
    ("Академиялық ұтқырлық бөлімі", "Отдел академической мобильности", "Academic Mobility Office", True, "Бас ғимарат", "312", "+7 7172 70-95-12"),
    ("Халықаралық қатынастар факультеті", "Факультет международных отношений", "Faculty of International Relations", True, "№ 2 оқу ғимараты", "205", "+7 7172 70-95-40"),
    ("Физика-техникалық факультеті", "Физико-технический факультет", "Faculty of Physics and Technology", False, "№ 4 оқу ғимараты", "101", "+7 7172 70-95-60"),
    ("Филология факультеті", "Филологический факультет", "Faculty of Philology", True, "№ 3 оқу ғимараты", "318", "+7 7172 70-95-71"),
    ("Ақпараттық технологиялар факультеті", "Факультет информационных технологий", "Faculty of Information Technology", False, "№ 5 оқу ғимараты", "410", "+7 7172 70-95-88"),
]
VISA_FREE = {"TR", "KR", "CN"}  # for citizens of Kazakhstan on short trips (the demo's simplification)
ADDRESS = "Астана қ., Сәтпаев көшесі, 2"

PEOPLE = [
    # last, first, patronymic, birth year, category, subdivision index, home
    ("Жұмабекова", "Аружан", "Ерланқызы", 2003, "student", 1, "Астана қ., Қабанбай батыр д-лы, 11, 45-пәтер"),
    ("Серікбаев", "Дәурен", "Асқарұлы", 1986, "teacher", 2, "Астана қ., Сығанақ к-сі, 18, 7-пәтер"),
    ("Ахметова", "Гүлжан", "Маратқызы", 1979, "researcher", 2, "Астана қ., Мәңгілік Ел д-лы, 30, 112-пәтер"),
    ("Ким", "Виктория", "Сергеевна", 1990, "teacher", 3, "Астана қ., Кенесары к-сі, 52, 9-пәтер"),
    ("Оразов", "Нұрсұлтан", "Бекзатұлы", 1997, "doctoral", 4, "Астана қ., Тұран д-лы, 37, 201-пәтер"),
    ("Тоқтарова", "Әйгерім", "Нұрланқызы", 2001, "master", 1, "Астана қ., Жеңіс д-лы, 7, 15-пәтер"),
    ("Бекмұратов", "Ержан", "Қайратұлы", 1975, "teacher", 0, "Астана қ., Абай д-лы, 64, 3-пәтер"),
    ("Исмаилова", "Мадина", "Руслановна", 2004, "student", 3, "Астана қ., Иманов к-сі, 19, 88-пәтер"),
]


def _enu() -> OrgUnit | None:
    return OrgUnit.objects.filter(level=Level.ORGANIZATION, kind=OrgKind.UNIVERSITY, kato__startswith="71").order_by("pk").first()


def _demo_login(unit: OrgUnit, role: str, username: str) -> User:
    """The demo login of ``core.demo.DEMO_USERS`` holding ``role`` at ``unit`` (else the first user
    who holds it there): the demo's trips are registered by the office and approved by the head."""
    grants = RoleGrant.objects.filter(org_unit=unit, role=role).select_related("user")
    grant = grants.filter(user__username=username).first() or grants.order_by("pk").first()
    if grant is None:
        raise RuntimeError(f"the demo has no {role} of {unit.name_en or unit.name_ru} (login {username} in core.demo.DEMO_USERS)")
    return grant.user


def demo_pdf(lines: list[str]) -> bytes:
    """A one-page PDF (A4) with a few lines of Latin text: the demo's "signed copies"."""
    def escape(text: str) -> str:
        return text.encode("latin-1", "replace").decode("latin-1").replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    commands = ["BT", "/F1 16 Tf", "72 760 Td", f"({escape(lines[0])}) Tj", "/F1 11 Tf"]
    for line in lines[1:]:
        commands += ["0 -22 Td", f"({escape(line)}) Tj"]
    commands += ["ET", "0.2 w", "360 140 m 520 140 l S", "BT /F1 9 Tf 360 126 Td (signature / seal) Tj ET"]
    stream = zlib.compress("\n".join(commands).encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@transaction.atomic
def seed(scale: str = "small", *, today: date | None = None) -> dict:
    enu = _enu()
    if enu is None or Subdivision.objects.filter(org_unit=enu).exists():
        return {"created": False}
    today = today or timezone.localdate()
    officer = _demo_login(enu, Role.INTERNATIONAL_OFFICER, "intl.enu")
    head = _demo_login(enu, Role.ORG_HEAD, "head.enu")
    year = common.last_finished_year(today)
    current = common.year_of(today)
    first, last = common.year_bounds(year)
    cur_first, cur_last = common.year_bounds(current)

    subdivisions = [mobility.subdivision_save(org_unit=enu, by=officer, data={
        "name_kk": kk, "name_ru": ru, "name_en": en, "external_relations": ext, "is_active": True, "address": ADDRESS, "building": building,
        "room": room, "phone": phone}) for kk, ru, en, ext, building, room, phone in SUBDIVISIONS]
    people = [mobility.person_save(org_unit=enu, by=officer, data={
        "last_name": ln, "first_name": fn, "patronymic": pn, "birth_year": by_, "category": cat, "subdivision": subdivisions[s].pk, "home_address": home})
        for ln, fn, pn, by_, cat, s, home in PEOPLE]

    # the reserve of candidates
    for person, sub, langs, countries, status in (
        (people[5], 1, [{"language": "en", "level": "C1", "certificate": "IELTS 7.0"}, {"language": "de", "level": "B1"}], ["DE", "AT"], "preparing"),
        (people[7], 3, [{"language": "zh", "level": "B2", "certificate": "HSK 4"}], ["CN"], "ready"),
        (people[4], 4, [{"language": "en", "level": "B2"}], ["KR", "JP"], "proposed"),
        (people[3], 3, [{"language": "ko", "level": "B1"}, {"language": "en", "level": "B2"}], ["KR"], "preparing"),
    ):
        mobility.reserve_save(org_unit=enu, person=person, subdivision=subdivisions[sub].pk, languages=langs, countries=countries, by=officer,
                              preparation="Тілдік курстар (аптасына 4 сағат), елтану семинарлары / Языковые курсы (4 часа в неделю), страноведческие семинары",
                              status=status)

    # the last finished year: an approved plan and its trips, all reported
    plan = mobility.trip_plan_create(org_unit=enu, year=year, by=officer)
    d = lambda m, day=1: date(first.year if m >= 9 else last.year, m, day)  # noqa: E731 — a day of the last finished year
    items = [mobility.trip_plan_item_save(plan=plan, by=officer, data=row) for row in (
        {"subdivision": subdivisions[1].pk, "purpose": "study", "country": "DE", "host_organization": "Freie Universität Berlin",
         "starts_on": d(2, 1), "ends_on": d(6, 30), "participants": 2, "funding": "grant", "note": "Erasmus+"},
        {"subdivision": subdivisions[2].pk, "purpose": "research", "country": "KR", "host_organization": "KAIST", "starts_on": d(10, 1),
         "ends_on": d(11, 30), "participants": 1, "funding": "state"},
        {"subdivision": subdivisions[3].pk, "purpose": "conference", "country": "TR", "host_organization": "Ankara Üniversitesi",
         "starts_on": d(4, 15), "ends_on": d(4, 19), "participants": 1, "funding": "organization"},
        {"subdivision": subdivisions[0].pk, "purpose": "work", "country": "PL", "host_organization": "Uniwersytet Warszawski",
         "starts_on": d(3, 1), "ends_on": d(3, 14), "participants": 1, "funding": "host"},
        {"subdivision": subdivisions[4].pk, "purpose": "conference", "country": "CN", "host_organization": "Tsinghua University",
         "starts_on": d(5, 20), "ends_on": d(5, 24), "participants": 1, "funding": "organization"},
    )]
    mobility.trip_plan_approve(plan=plan, by=head)
    past_trips = [
        (people[0], 1, items[0], "Berlin", "Berlin, Studierendenwerk, Hardenbergstraße 34"),
        (people[2], 2, items[1], "Daejeon", "Daejeon, KAIST International Village, 291 Daehak-ro"),
        (people[3], 3, items[2], "Ankara", "Ankara, Hotel Bera, Atatürk Blv. 181"),
        (people[6], 0, items[3], "Warszawa", "Warszawa, Dom Gościnny UW, ul. Belwederska 26/30"),
        (people[4], 4, items[4], "Beijing", "Beijing, Tsinghua Guest House"),
    ]
    for person, sub, item, city, abroad in past_trips:
        trip = mobility.trip_create(org_unit=enu, by=officer, data={
            "person": person.pk, "subdivision": subdivisions[sub].pk, "purpose": item.purpose, "country": item.country,
            "host_organization": item.host_organization, "city": city, "address_abroad": abroad, "starts_on": item.starts_on,
            "ends_on": item.ends_on, "funding": item.funding, "plan_item": item.pk, "order_number": f"{item.pk}-ХҚ",
            "order_date": item.starts_on - timedelta(days=14)})
        _complete_documents(trip, officer, item.starts_on - timedelta(days=3))
        mobility.trip_depart(trip=trip, by=officer)
        mobility.trip_return(trip=trip, returned_on=item.ends_on, by=officer)
        mobility.trip_report_submit(trip=trip, by=officer, summary=f"{item.host_organization}: бағдарлама толық орындалды. / Программа выполнена полностью.",
                                    results="Бірлескен жарияланым дайындалды, байланыстар орнатылды. / Подготовлена совместная публикация, установлены контакты.",
                                    implementation="Нәтижелер оқу курсына енгізілді. / Результаты внедрены в учебный курс.")
        trip.refresh_from_db()
        TripReport.objects.filter(trip=trip).update(is_late=False, submitted_at=datetime.combine(trip.report_due - timedelta(days=2), time(11, 30), tzinfo=KZ_TZ))

    # the current year: an approved plan, its next version drafted, trips under way, one report overdue
    cur_plan = mobility.trip_plan_create(org_unit=enu, year=current, by=officer)
    cur_items = [mobility.trip_plan_item_save(plan=cur_plan, by=officer, data=row) for row in (
        {"subdivision": subdivisions[1].pk, "purpose": "study", "country": "CN", "host_organization": "Peking University",
         "starts_on": max(cur_first, today - timedelta(days=60)), "ends_on": min(cur_last, today + timedelta(days=120)), "participants": 1, "funding": "state"},
        {"subdivision": subdivisions[2].pk, "purpose": "conference", "country": "IT", "host_organization": "Politecnico di Milano",
         "starts_on": min(cur_last - timedelta(days=10), today + timedelta(days=20)), "ends_on": min(cur_last - timedelta(days=6), today + timedelta(days=24)),
         "participants": 2, "funding": "organization"},
        {"subdivision": subdivisions[3].pk, "purpose": "research", "country": "JP", "host_organization": "University of Tsukuba",
         "starts_on": min(cur_last - timedelta(days=30), today + timedelta(days=45)), "ends_on": min(cur_last, today + timedelta(days=75)),
         "participants": 1, "funding": "grant"},
    )]
    mobility.trip_plan_approve(plan=cur_plan, by=head)
    mobility.trip_plan_new_version(plan=cur_plan, by=officer, reason="Қосымша конференция / Дополнительная конференция")
    abroad = mobility.trip_create(org_unit=enu, by=officer, data={
        "person": people[7].pk, "subdivision": subdivisions[1].pk, "purpose": "study", "country": "CN", "host_organization": "Peking University",
        "city": "Beijing", "address_abroad": "Beijing, Shaoyuan Building 5", "starts_on": cur_items[0].starts_on, "ends_on": cur_items[0].ends_on,
        "funding": "state", "plan_item": cur_items[0].pk, "order_number": "412-ХҚ", "order_date": cur_items[0].starts_on - timedelta(days=20)})
    _complete_documents(abroad, officer, cur_items[0].starts_on - timedelta(days=2))
    mobility.trip_depart(trip=abroad, by=officer)
    # a conference trip outside the plan, back for weeks, its report overdue
    overdue = mobility.trip_create(org_unit=enu, by=officer, data={
        "person": people[1].pk, "subdivision": subdivisions[2].pk, "purpose": "conference", "country": "IT", "host_organization": "Politecnico di Milano",
        "city": "Milano", "address_abroad": "Milano, Hotel Leonardo, Via Messina 10", "starts_on": today - timedelta(days=45),
        "ends_on": today - timedelta(days=41), "funding": "organization", "order_number": "398-ХҚ", "order_date": today - timedelta(days=55)})
    _complete_documents(overdue, officer, today - timedelta(days=47))
    mobility.trip_depart(trip=overdue, by=officer)
    mobility.trip_return(trip=overdue, returned_on=today - timedelta(days=41), by=officer)
    preparing = mobility.trip_create(org_unit=enu, by=officer, data={
        "person": people[3].pk, "subdivision": subdivisions[3].pk, "purpose": "research", "country": "JP", "host_organization": "University of Tsukuba",
        "city": "Tsukuba", "starts_on": cur_items[2].starts_on, "ends_on": cur_items[2].ends_on, "funding": "grant", "plan_item": cur_items[2].pk})
    for document in list(preparing.documents.all())[:3]:
        mobility.trip_document_set(trip=preparing, document=document, done=True, done_on=today, by=officer)
    mobility.trip_reminders_send(today=today)

    # agreements, in several statuses
    partners = {key: agreements.partner_save(org_unit=enu, by=officer, data=row) for key, row in {
        "fu": {"name": "Freie Universität Berlin", "country": "DE", "city": "Berlin", "kind": "university", "website": "https://www.fu-berlin.de"},
        "ankara": {"name": "Ankara Üniversitesi", "country": "TR", "city": "Ankara", "kind": "university", "website": "https://www.ankara.edu.tr"},
        "kaist": {"name": "Korea Advanced Institute of Science and Technology", "country": "KR", "city": "Daejeon", "kind": "university"},
        "daad": {"name": "Deutscher Akademischer Austauschdienst", "country": "DE", "city": "Bonn", "kind": "foundation"},
        "tsukuba": {"name": "University of Tsukuba", "country": "JP", "city": "Tsukuba", "kind": "university"},
        "uw": {"name": "Uniwersytet Warszawski", "country": "PL", "city": "Warszawa", "kind": "university"},
        "itmo": {"name": "ITMO University", "country": "RU", "city": "Saint Petersburg", "kind": "university"},
    }.items()}
    signed_day = first - timedelta(days=400)
    rows = [
        # partner, title, kind, number, signed, valid from, valid to, final status, notes
        ("fu", "Академиялық ұтқырлық туралы келісім / Соглашение об академической мобильности", "exchange", "ENU-FU-17", signed_day,
         signed_day, signed_day + timedelta(days=365 * 5), "active", True),
        ("ankara", "Қос дипломды білім беру бағдарламасы туралы келісім / Соглашение о программе двойного диплома", "double_degree", "ENU-AU-04",
         d(10, 20), d(11, 1), d(11, 1) + timedelta(days=365 * 4), "active", True),
        ("kaist", "Ғылыми ынтымақтастық туралы меморандум / Меморандум о научном сотрудничестве", "memorandum", "ENU-KAIST-2", first - timedelta(days=900),
         first - timedelta(days=900), d(1, 31), "expired", True),
        ("uw", "Оқытушылар алмасуы туралы келісім / Соглашение об обмене преподавателями", "cooperation", "ENU-UW-9", first - timedelta(days=300),
         first - timedelta(days=300), None, "terminated", False),
        ("tsukuba", "Бірлескен зерттеулер туралы келісім / Соглашение о совместных исследованиях", "research", "", None, None, None, "approved", False),
        ("daad", "Неміс тілі оқытушысын жіберу туралы келісім / Соглашение о направлении лектора немецкого языка", "work_programme", "", None, None, None,
         "draft", False),
        ("itmo", "Бірлескен магистратура бағдарламасы / Совместная магистерская программа", "joint_programme", "", None, None, None, "proposal", False),
    ]
    for key, title, kind, number, signed, valid_from, valid_to, status, with_notes in rows:
        agreement = agreements.agreement_create(org_unit=enu, by=officer, data={
            "partner": partners[key].pk, "title": title, "kind": kind, "number": number, "subdivision": subdivisions[0].pk,
            "subject": "Білім алушылар мен оқытушылар алмасуы, бірлескен зерттеулер. / Обмен обучающимися и преподавателями, совместные исследования.",
            "signed_on": signed, "valid_from": valid_from, "valid_to": valid_to})
        order = [Agreement.Status.DRAFT, Agreement.Status.APPROVED, Agreement.Status.ACTIVE]
        target = {"proposal": 0, "draft": 1, "approved": 2, "active": 3, "expired": 3, "terminated": 3}[status]
        for step in order[:target]:
            if step == Agreement.Status.ACTIVE:
                agreements.agreement_upload_copy(agreement=agreement, by=officer, filename=f"{number or key}.pdf", content=demo_pdf([
                    partners[key].name, f"L.N. Gumilyov Eurasian National University - {kind.replace('_', ' ')} agreement",
                    f"No. {number}, signed {signed.isoformat() if signed else ''}", "Astana - " + (partners[key].city or ""),
                ]))
            agreements.agreement_move(agreement=agreement, to_status=step, by=officer, today=valid_from or today)
        if status == "expired":
            agreements.agreement_move(agreement=agreement, to_status=Agreement.Status.EXPIRED, by=None, today=today)
        if status == "terminated":
            agreements.agreement_move(agreement=agreement, to_status=Agreement.Status.TERMINATED, by=officer, today=d(12, 15),
                                      note="Серіктес тарапының бастамасымен / По инициативе партнера")
        if with_notes:
            for month, text in ((11, "Екі білім алушы бір семестрге жіберілді. / Два обучающихся направлены на семестр."),
                                (3, "Бірлескен әдістемелік семинар өткізілді. / Проведен совместный методический семинар.")):
                agreements.agreement_note_add(agreement=agreement, on=d(month, 10), text=text, by=officer)

    # contacts with missions and cultural centres, conferences, the work plan, the §9 text
    for on, kind, name, country, form, subject in (
        (d(9, 25), "embassy", "Германия Федеративтік Республикасының Қазақстандағы Елшілігі / Посольство ФРГ в Казахстане", "DE", "meeting",
         "Неміс студенттерінің визалық қолдауы / Визовая поддержка немецких студентов"),
        (d(12, 5), "cultural_centre", "Юнус Эмре институты / Институт Юнуса Эмре", "TR", "event", "Түрік тілі курстары / Курсы турецкого языка"),
        (d(4, 2), "consulate", "ҚХР Бас консулдығы / Генеральное консульство КНР", "CN", "letter",
         "Қытай студенттерінің медициналық сақтандыруы / Медицинское страхование китайских студентов"),
    ):
        agreements.contact_save(org_unit=enu, by=officer, data={"counterpart_kind": kind, "counterpart": name, "country": country, "on": on, "form": form,
                                                                "subject": subject, "outcome": "Келісілді / Согласовано"})
    for person, kind, title, country, city, start, end, role, paper in (
        (people[3], "conference", "International Conference on Turkic Languages", "TR", "Ankara", d(4, 16), d(4, 18), "speaker", "Kazakh loanwords in Turkish media"),
        (people[4], "practical", "Asia-Pacific Software Engineering Conference", "CN", "Beijing", d(5, 21), d(5, 23), "speaker", "Grading rules as data"),
        (people[2], "symposium", "Symposium on Photonics and Materials", "KR", "Daejeon", d(11, 12), d(11, 14), "participant", ""),
        (people[6], "methodological", "European Forum on Academic Mobility", "PL", "Warszawa", d(3, 10), d(3, 11), "speaker", "Mobility windows in Kazakh curricula"),
    ):
        agreements.conference_save(org_unit=enu, by=officer, data={"person": person.pk, "kind": kind, "title": title, "country": country, "city": city,
                                                                   "starts_on": start, "ends_on": end, "role": role, "paper": paper})
    work_plan = agreements.work_plan_create(org_unit=enu, year=year, approved_on=first - timedelta(days=5), by=officer)
    for activity, responsible, due, done in (
        ("Шетелдік әріптестермен ынтымақтастық туралы келісімдерді жаңарту / Обновление соглашений с зарубежными партнерами", "Академиялық ұтқырлық бөлімі", d(12, 20), True),
        ("Шетелдік іссапарлар жоспарын бекіту / Утверждение плана зарубежных командировок", "Халықаралық ынтымақтастық қызметі", d(9, 30), True),
        ("Шетел азаматтарын қабылдау және медициналық тексеру / Прием и медосмотр иностранных граждан", "Халықаралық ынтымақтастық қызметі", d(10, 15), True),
        ("Қос дипломды бағдарламаны іске қосу / Запуск программы двойного диплома", "Филология факультеті", d(2, 1), True),
        ("Халықаралық жазғы мектеп өткізу / Проведение международной летней школы", "Халықаралық қатынастар факультеті", d(7, 20), False),
        ("2-қосымша бойынша жылдық есепті дайындау / Подготовка годового отчета по приложению 2", "Халықаралық ынтымақтастық қызметі", d(7, 10), False),
    ):
        agreements.work_plan_item_save(plan=work_plan, by=officer, data={"activity": activity, "responsible": responsible, "due_on": due, "done": done,
                                                                         "done_on": due if done else None})
    agreements.teaching_report_save(org_unit=enu, year=year, by=officer, data={
        "mixed_groups": "Шетелдік білім алушылар отандық студенттермен аралас топтарда оқиды; әр топқа тьютор бекітілген. / Иностранные обучающиеся учатся в смешанных группах; за каждой группой закреплен тьютор.",
        "language_training": "Дайындық бөлімінде қазақ және орыс тілдерінен 720 сағаттық курс. / На подготовительном отделении курс казахского и русского языков 720 часов.",
        "low_achievers": "Аптасына екі рет қосымша консультациялар. / Дополнительные консультации два раза в неделю.",
        "teacher_training": "12 оқытушы «Қазақ тілін шет тілі ретінде оқыту» курсынан өтті. / 12 преподавателей прошли курс «Казахский язык как иностранный».",
        "individual_plans": "Докторанттардың жеке жоспарлары 96%-ға орындалды. / Индивидуальные планы докторантов выполнены на 96%.",
    }, materials=[
        {"kind": "special_course", "title": "Қазақстанның іскерлік мәдениеті / Деловая культура Казахстана", "authors": "Бекмұратов Е.Қ."},
        {"kind": "special_seminar", "title": "Академиялық жазылым / Академическое письмо", "authors": "Ким В.С."},
        {"kind": "textbook", "title": "Қазақ тілі: A1–B1 / Казахский язык: A1–B1", "authors": "Ахметова Г.М., Серікбаев Д.А."},
        {"kind": "guidelines", "title": "Шетелдік студентке арналған нұсқаулық / Путеводитель иностранного студента", "authors": "Халықаралық ынтымақтастық қызметі"},
    ])

    # the Appendix 2 campaign of the last finished year
    ministry = User.objects.filter(username="ministry").first()
    campaign = None
    if ministry is not None:
        campaign = report.campaign_open(year=year, by=ministry)
    return {"created": True, "year": year, "campaign": campaign.pk if campaign else None,
            "trips": Trip.objects.filter(org_unit=enu).count(), "agreements": Agreement.objects.filter(org_unit=enu).count()}


def _complete_documents(trip: Trip, officer: User, on: date) -> None:
    for document in trip.documents.all():
        if document.code == "visa" and trip.country in VISA_FREE:
            mobility.trip_document_set(trip=trip, document=document, done=False, remove=True, by=officer)
            continue
        mobility.trip_document_set(trip=trip, document=document, done=True, done_on=min(on, timezone.localdate()), by=officer)
