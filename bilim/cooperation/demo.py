"""Demo data of the international office (part A), through the services like real input: the
L.N. Gumilyov Eurasian National University (ENU, Astana; login ``intl.enu``) with its international
cooperation service and twelve foreigners from several countries and categories — so a service is
mandatory there (C1) and is recorded — and al-Farabi Kazakh National University (KazNU, Almaty) with
a responsible person and three foreigners. Idempotent; the same at both scales."""

from __future__ import annotations

import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from bilim.core.models import OrgKind, OrgUnit, Role, RoleGrant, User

from . import services
from .models import Foreigner, Office

ENU_KATO_PREFIX = "71"
KAZNU_KATO_PREFIX = "75"


def _university(prefix: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(kind=OrgKind.UNIVERSITY, kato__startswith=prefix).order_by("pk").first()


def _photo(seed: int) -> SimpleUploadedFile:
    """A drawn 3×4 portrait silhouette (no real person's face in the demo)."""
    from PIL import Image, ImageDraw

    shades = [(208, 222, 232), (226, 216, 204), (214, 230, 214), (232, 220, 232)]
    image = Image.new("RGB", (300, 400), shades[seed % len(shades)])
    draw = ImageDraw.Draw(image)
    tone = (90 + 7 * (seed % 5), 80 + 5 * (seed % 4), 75)
    draw.ellipse((95, 70, 205, 200), fill=tone)
    draw.rounded_rectangle((55, 215, 245, 420), radius=70, fill=tone)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88)
    return SimpleUploadedFile(f"photo-{seed}.jpg", out.getvalue(), content_type="image/jpeg")


# surname, given names, Cyrillic (last, first, patronymic), sex, citizenship, birth, birth place, category, course,
# basis, specialty, diaspora, kandas, nationality, religion, languages
PEOPLE = [
    ("WANG", "LEI", ("", "", ""), "M", "CN", date(2003, 4, 12), "Urumqi, Xinjiang", "bachelor", 2, "treaty",
     "6B01501 Mathematics", False, False, "ханзу", "", [("zh", "native"), ("ru", "good"), ("en", "good")]),
    ("BATBAYAR", "ERDENE", ("Батбаяр", "Эрдэнэ", ""), "F", "MN", date(2004, 9, 3), "Ulaanbaatar", "bachelor", 1, "state_grant",
     "6B04103 Finance", False, False, "халха", "буддизм", [("mn", "native"), ("ru", "good")]),
    ("NURLANULY", "ASKAR", ("Нұрланұлы", "Асқар", ""), "M", "MN", date(2002, 1, 20), "Bayan-Ölgii, Ölgii", "bachelor", 3,
     "state_grant", "6B02201 History", True, True, "қазақ", "ислам", [("kk", "native"), ("mn", "fluent"), ("ru", "basic")]),
    ("YILMAZ", "ELIF", ("", "", ""), "F", "TR", date(1999, 6, 30), "Ankara", "master", 1, "agreement",
     "7M02301 Philology", False, False, "түрік", "ислам", [("tr", "native"), ("en", "fluent"), ("kk", "basic")]),
    ("AHMADI", "FARID", ("", "", ""), "M", "AF", date(2001, 11, 2), "Mazar-i-Sharif, Balkh", "bachelor", 2, "treaty",
     "6B07101 Civil engineering", False, False, "өзбек", "ислам", [("fa", "native"), ("uz", "fluent"), ("ru", "good")]),
    ("ASANBEKOV", "TIMUR", ("Асанбеков", "Тимур", "Маратович"), "M", "KG", date(2003, 3, 14), "Bishkek", "bachelor", 2, "paid",
     "6B06102 Computer science", False, False, "қырғыз", "ислам", [("ky", "native"), ("ru", "fluent")]),
    ("KARIMOVA", "DILNOZA", ("Каримова", "Дилноза", "Алишеровна"), "F", "UZ", date(1996, 8, 8), "Tashkent", "doctoral", 2,
     "state_grant", "8D01501 Mathematics", False, False, "өзбек", "ислам", [("uz", "native"), ("ru", "fluent"), ("en", "good")]),
    ("IVANOV", "SERGEY", ("Иванов", "Сергей", "Петрович"), "M", "RU", date(1978, 2, 17), "Omsk", "teacher", None, "invitation",
     "Department of physics", False, False, "орыс", "", [("ru", "native"), ("en", "good")]),
    ("SHARMA", "PRIYA", ("", "", ""), "F", "IN", date(1990, 12, 5), "Jaipur, Rajasthan", "researcher", None, "agreement",
     "Laboratory of nanomaterials", False, False, "", "", [("hi", "native"), ("en", "fluent")]),
    ("KIM", "MINJUN", ("", "", ""), "M", "KR", date(2004, 5, 21), "Busan", "exchange", 3, "agreement",
     "6B02302 Kazakh language and literature", False, False, "корей", "", [("ko", "native"), ("en", "good"), ("ru", "basic")]),
    ("ORAZOVA", "AIGUL", ("Оразова", "Айгүл", ""), "F", "TM", date(2005, 7, 1), "Dashoguz", "preparatory", 1, "paid",
     "Preparatory faculty", True, False, "қазақ", "ислам", [("tk", "native"), ("kk", "good"), ("ru", "basic")]),
    ("KHAN", "USMAN", ("", "", ""), "M", "PK", date(2000, 10, 10), "Lahore, Punjab", "master", 2, "paid",
     "7M07101 Petroleum engineering", False, False, "пенджаб", "ислам", [("ur", "native"), ("en", "fluent")]),
]

KAZNU_PEOPLE = [
    ("RAHIMOV", "FIRDAVS", ("Рахимов", "Фирдавс", ""), "M", "TJ", date(2004, 2, 2), "Dushanbe", "bachelor", 2, "treaty",
     "6B05101 Biology", False, False, "тәжік", "ислам", [("tg", "native"), ("ru", "good")]),
    ("MUELLER", "ANNA", ("", "", ""), "F", "DE", date(1985, 4, 9), "Leipzig, Saxony", "teacher", None, "invitation",
     "Department of German philology", False, False, "", "", [("de", "native"), ("en", "fluent"), ("ru", "good")]),
    ("ZHANG", "YUTING", ("", "", ""), "F", "CN", date(2003, 9, 19), "Ghulja, Ili", "bachelor", 3, "state_grant",
     "6B03101 Journalism", True, True, "қазақ", "", [("kk", "native"), ("zh", "fluent")]),
]


def _data(person, index: int) -> dict:
    (surname, given, (last, first, patronymic), sex, country, born, place, category, course, basis, specialty, diaspora, kandas,
     nationality, religion, languages) = person
    arrival = date(2024 + index % 3, 8, 20 + index % 8) if category not in ("teacher", "researcher") else date(2025, 9, 1)
    arrival = min(arrival, date(2025, 9, 1))
    end = date(arrival.year + (4 if category in ("bachelor", "preparatory") else 2 if category in ("master", "doctoral", "teacher")
                               else 1), 6, 30)
    return {
        "surname_latin": surname, "given_names_latin": given, "last_name": last, "first_name": first, "patronymic": patronymic,
        "sex": sex, "citizenship": country, "birth_date": born, "birth_country": country, "birth_place": place,
        "passport_number": f"{country}{7104200 + index * 37:07d}", "passport_issued_on": date(2022, 3, 1 + index),
        "passport_expires_on": date(2032, 2, 28), "passport_issued_by": "",
        "nationality": nationality, "religion": religion, "memberships": "",
        "permanent_address": f"{place}, {100 + index} ", "phones": f"+{70 + index} 701 555 {1000 + index}",
        "email": f"{surname.lower()}.{given.lower()}@example.org", "marital_status": "single" if born.year > 1995 else "married",
        "relatives": [
            {"relation": "father", "full_name": f"{surname} {['ALI', 'BOLAT', 'CHEN', 'DAVID'][index % 4]}",
             "birth_year": born.year - 28, "citizenship": country, "occupation": "engineer", "address": place},
            {"relation": "mother", "full_name": f"{surname} {['AIDA', 'BELLA', 'CHIN', 'DANA'][index % 4]}",
             "birth_year": born.year - 26, "citizenship": country, "occupation": "teacher", "address": place},
        ],
        "education": [{"organization": f"School No. {10 + index}, {place}", "programme": "general secondary education",
                       "year_from": born.year + 7, "year_to": born.year + 18, "types": ["state", "secular"],
                       "document": "certificate of secondary education"}],
        "languages": [{"language": code, "other_name": "", "spoken": level, "reading": level, "writing": level if level != "fluent" else "good"}
                      for code, level in languages],
        "activities": [{"date_from": date(arrival.year - 2, 9, 1), "date_to": date(arrival.year, 6, 30), "kind": "study" if category not in ("teacher", "researcher") else "work",
                        "description": f"{place}"}],
        "reasons": {"quality": 1, "low_fees": 2, "know_country": 3} if basis == "paid" else
                   {"sent_by_state": 1, "quality": 2} if basis in ("treaty", "state_grant") else {"contract": 1, "quality": 2},
        "reason_other": "",
        "study_purpose": specialty, "about": "",
        "category": category, "basis": basis, "specialty": specialty, "course": course,
        "is_diaspora": diaspora, "is_kandas": kandas,
        "admission_order_number": f"{300 + index}-ст" if category not in ("teacher", "researcher") else f"{50 + index}-ж",
        "admission_order_date": arrival,
        "arrival_date": arrival, "accommodation": "dormitory" if category not in ("teacher", "researcher") else "rented",
        "accommodation_address": "Dormitory No. 3, Kazhymukan St 11" if category not in ("teacher", "researcher") else "",
        "medical_checkup_on": arrival, "expected_end_date": end,
        "acknowledged": True, "acknowledged_on": arrival, "signed": True, "consent": True,
    }


def _officer(unit: OrgUnit, username: str, stand_ins: list[int]) -> User:
    grant = RoleGrant.objects.filter(org_unit=unit, role=Role.INTERNATIONAL_OFFICER).select_related("user").order_by("pk").first()
    if grant is not None:
        return grant.user
    # a stand-in that records the demo's data; ``seed`` then deactivates it (the demo's logins are
    # core.demo.DEMO_USERS)
    user, created = User.objects.get_or_create(username=username, defaults={"last_name": "Демо", "first_name": "Офицер"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        stand_ins.append(user.pk)
    RoleGrant.objects.get_or_create(user=user, role=Role.INTERNATIONAL_OFFICER, org_unit=unit)
    return user


@transaction.atomic
def seed(scale: str = "small") -> dict:
    enu, kaznu = _university(ENU_KATO_PREFIX), _university(KAZNU_KATO_PREFIX)
    if enu is None or Foreigner.objects.filter(org_unit=enu).exists():
        return {"foreigners": 0}
    stand_ins: list[int] = []
    officer = _officer(enu, "intl.enu", stand_ins)
    services.office_save(org_unit=enu, by=officer, data={
        "kind": Office.Kind.SERVICE, "name": "Халықаралық ынтымақтастық департаменті", "order_number": "112-ж",
        "order_date": date(2023, 2, 10), "address": "Астана, Сәтбаев көшесі, 2", "building": "бас ғимарат", "room": "217",
        "regulation_approved": True, "premises_secured": True,
    }, staff=[
        {"full_name": "Смағұлова Дина Ержанқызы", "position": "департамент директоры", "is_head": True, "work_phone": "+7 7172 709 500",
         "home_phone": "+7 701 111 2233", "email": "intl@enu.example.kz", "order_number": "113-ж", "order_date": date(2023, 2, 10),
         "experience_years": 6, "foreign_languages": "English, Türkçe", "has_clearance": True},
        {"full_name": "Әлиев Ернар Болатұлы", "position": "инспектор", "work_phone": "+7 7172 709 501"},
        {"full_name": "Қасенова Мөлдір Серікқызы", "position": "әдіскер", "work_phone": "+7 7172 709 502"},
    ])
    for index, person in enumerate(PEOPLE):
        services.foreigner_register(org_unit=enu, data=_data(person, index), photo=_photo(index) if index % 4 != 3 else None,
                                    by=officer)
    created = len(PEOPLE)
    if kaznu is not None and not Foreigner.objects.filter(org_unit=kaznu).exists():
        kaznu_officer = _officer(kaznu, "intl.kaznu", stand_ins)
        services.office_save(org_unit=kaznu, by=kaznu_officer, data={
            "kind": Office.Kind.PERSON, "order_number": "45-ж", "order_date": date(2024, 1, 15)},
            staff=[{"full_name": "Тоқтаров Нұрлан Асқарұлы", "position": "проректордың кеңесшісі", "is_head": True,
                    "experience_years": 3, "foreign_languages": "English", "has_clearance": True}])
        for index, person in enumerate(KAZNU_PEOPLE, start=len(PEOPLE)):
            services.foreigner_register(org_unit=kaznu, data=_data(person, index), by=kaznu_officer)
        created += len(KAZNU_PEOPLE)
    # the stand-ins that recorded the data cannot log in
    User.objects.filter(pk__in=stand_ins).update(is_active=False)
    return {"foreigners": created, "offices": 2 if kaznu is not None else 1}
