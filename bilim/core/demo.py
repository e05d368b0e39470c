"""Deterministic demo data.

``small``: the real republic and 20 regions, real districts of Astana, Almaty and Turkistan region
with a few schools, kindergartens, colleges and two universities each, and one demo login per role.
``national``: the full tree at the country's scale — ≈ 230 districts and ≈ 12,000 organizations —
for benchmarks (Astana keeps its five real districts, where the demo's district users work).
Districts and organizations other than the real names below are generated, and their
KATO and BIN codes are made up (they keep the right shape: 9 and 12 digits)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .audit import audit_record
from .models import AreaType, Level, OrgKind, OrgUnit, Ownership, Role, RoleGrant, User
from .reference import load_regions
from .services import orgunits_bulk_create

DEMO_PASSWORD = "Bilim-demo-2026"

# Real districts (kk, ru, en) used by the small demo.
SMALL_DISTRICTS = {
    "710000000": [
        ("Алматы ауданы", "район Алматы", "Almaty District"),
        ("Байқоңыр ауданы", "район Байконур", "Baikonyr District"),
        ("Есіл ауданы", "район Есиль", "Esil District"),
        ("Сарыарқа ауданы", "район Сарыарка", "Saryarka District"),
        ("Нұра ауданы", "район Нура", "Nura District"),
    ],
    "750000000": [
        ("Алмалы ауданы", "Алмалинский район", "Almaly District"),
        ("Бостандық ауданы", "Бостандыкский район", "Bostandyk District"),
        ("Медеу ауданы", "Медеуский район", "Medeu District"),
    ],
    "610000000": [
        ("Сайрам ауданы", "Сайрамский район", "Sairam District"),
        ("Түлкібас ауданы", "Тюлькубасский район", "Tulkibas District"),
        ("Түркістан қаласы", "город Туркестан", "Turkistan city"),
    ],
}

UNIVERSITIES = {
    ("710000000", 0): ("Л.Н. Гумилев атындағы Еуразия ұлттық университеті", "Евразийский национальный университет имени Л.Н. Гумилева", "L.N. Gumilyov Eurasian National University"),
    ("750000000", 1): ("Әл-Фараби атындағы Қазақ ұлттық университеті", "Казахский национальный университет имени аль-Фараби", "Al-Farabi Kazakh National University"),
    ("610000000", 2): ("Қожа Ахмет Ясауи атындағы Халықаралық қазақ-түрік университеті", "Международный казахско-турецкий университет имени Ходжи Ахмеда Ясави", "Khoja Akhmet Yassawi International Kazakh-Turkish University"),
}

# Stems for generated district and college names (kk, ru, en).
STEMS = [
    ("Бәйтерек", "Байтерек", "Baiterek"), ("Ақжар", "Акжар", "Akzhar"), ("Шалқар", "Шалкар", "Shalkar"),
    ("Жаңаарқа", "Жанаарка", "Zhanaarka"), ("Қарасу", "Карасу", "Karasu"), ("Алтай", "Алтай", "Altai"),
    ("Талас", "Талас", "Talas"), ("Ордабасы", "Ордабасы", "Ordabasy"), ("Сарыағаш", "Сарыагаш", "Saryagash"),
    ("Көксу", "Коксу", "Koksu"), ("Жаркент", "Жаркент", "Zharkent"), ("Ұланды", "Уланды", "Ulandy"),
    ("Аққайың", "Аккайын", "Akkaiyn"), ("Есіл", "Есиль", "Esil"), ("Бурабай", "Бурабай", "Burabai"),
    ("Көктерек", "Коктерек", "Kokterek"), ("Қазығұрт", "Казыгурт", "Kazygurt"), ("Шиелі", "Шиели", "Shieli"),
    ("Мұғалжар", "Мугалжар", "Mugalzhar"), ("Жалағаш", "Жалагаш", "Zhalagash"), ("Теректі", "Теректы", "Terekti"),
    ("Ұйғыр", "Уйгур", "Uigur"), ("Қаратау", "Каратау", "Karatau"), ("Жаңақорған", "Жанакорган", "Zhanakorgan"),
    ("Сарысу", "Сарысу", "Sarysu"), ("Бескарағай", "Бескарагай", "Beskaragai"), ("Шет", "Шет", "Shet"),
    ("Тайынша", "Тайынша", "Taiynsha"), ("Әйтеке би", "Айтеке би", "Aiteke bi"), ("Мақтаарал", "Мактаарал", "Maktaaral"),
]

PRESCHOOL_NAMES = [("Балапан", "Балапан", "Balapan"), ("Айгөлек", "Айголек", "Aigolek"), ("Құлыншақ", "Кулыншак", "Kulynshak"),
                   ("Еркетай", "Еркетай", "Erketai"), ("Бөбек", "Бобек", "Bobek"), ("Шұғыла", "Шугыла", "Shugyla")]


@dataclass
class SeedResult:
    created: bool
    districts: int = 0
    organizations: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def _org_row(parent_key, kind: str, number: int, rng: random.Random, district_kato: str, area: str, stem=None) -> dict:
    if kind == OrgKind.SCHOOL:
        names = (f"№ {number} жалпы білім беретін мектеп", f"Общеобразовательная школа № {number}", f"Secondary School No. {number}")
    elif kind == OrgKind.PRESCHOOL:
        kk, ru, en = PRESCHOOL_NAMES[number % len(PRESCHOOL_NAMES)]
        names = (f"№ {number} «{kk}» бөбекжай-бақшасы", f"Ясли-сад № {number} «{ru}»", f"Nursery No. {number} “{en}”")
    elif kind == OrgKind.COLLEGE:
        kk, ru, en = stem
        names = (f"{kk} жоғары колледжі № {number}", f"Высший колледж {ru} № {number}", f"{en} Higher College No. {number}")
    elif kind == OrgKind.UNIVERSITY:
        kk, ru, en = stem
        names = (f"{kk} университеті", f"Университет {ru}", f"{en} University")
    else:
        names = (f"№ {number} балалар шығармашылығы орталығы", f"Центр детского творчества № {number}", f"Children's Creativity Centre No. {number}")
    return {
        "parent_key": parent_key, "kind": kind, "name_kk": names[0], "name_ru": names[1], "name_en": names[2],
        "kato": district_kato[:4] + f"{rng.randint(10, 99):02d}{rng.randint(1, 999):03d}",
        "bin": f"{rng.randint(0, 99):02d}{rng.randint(1, 12):02d}4{rng.randint(0, 9999999):07d}",
        "ownership": Ownership.PRIVATE if rng.random() < 0.08 else Ownership.STATE,
        "area_type": area,
    }


def _district_row(region: OrgUnit, index: int, names: tuple[str, str, str]) -> dict:
    is_city = names[0].endswith("қаласы")
    return {
        "parent_key": region.kato, "kind": OrgKind.DISTRICT_AUTHORITY, "name_kk": names[0], "name_ru": names[1], "name_en": names[2],
        "kato": region.kato[:2] + f"{20 + 2 * index:02d}00000",
        "area_type": AreaType.URBAN if (region.region_kind == "city" or is_city) else AreaType.RURAL,
    }


def _generated_district_names(rng: random.Random, region: OrgUnit, count: int) -> list[tuple[str, str, str]]:
    stems = rng.sample(STEMS, count) if count <= len(STEMS) else [STEMS[i % len(STEMS)] for i in range(count)]
    if region.region_kind == "city":
        return [(f"{kk} ауданы", f"район {ru}", f"{en} District") for kk, ru, en in stems]
    return [(f"{kk} ауданы", f"{ru}ский район" if not ru.endswith(("ый", "ий")) else f"{ru} район", f"{en} District") for kk, ru, en in stems]


@transaction.atomic
def seed(scale: str = "small") -> SeedResult:
    root, _created = load_regions(OrgUnit)
    if OrgUnit.objects.filter(level=Level.DISTRICT).exists():
        return SeedResult(created=False, logins=_demo_logins())
    rng = random.Random(2026)
    regions = {unit.kato: unit for unit in OrgUnit.objects.filter(level=Level.REGION).order_by("kato")}

    # districts
    district_rows = []
    if scale == "small":
        for kato, names in SMALL_DISTRICTS.items():
            district_rows += [_district_row(regions[kato], i, n) for i, n in enumerate(names)]
    else:
        counts = {"710000000": 5, "750000000": 8, "790000000": 5}
        oblasts = [k for k in regions if k not in counts]
        for i, kato in enumerate(oblasts):
            counts[kato] = 12 + (1 if i < 212 - 12 * len(oblasts) else 0)
        for kato, region in regions.items():
            names = SMALL_DISTRICTS["710000000"] if kato == "710000000" else _generated_district_names(rng, region, counts[kato])
            district_rows += [_district_row(region, i, n) for i, n in enumerate(names)]
    districts = orgunits_bulk_create(rows=district_rows, parents=regions)

    # organizations
    org_rows = []
    school_no = 0
    for d_index, district in enumerate(districts):
        region_kato = district.kato[:2] + "0000000"
        if scale == "small":
            plan = [OrgKind.SCHOOL] * 3 + [OrgKind.PRESCHOOL] * 2 + [OrgKind.COLLEGE]
        else:
            size = rng.randint(30, 74)
            plan = [OrgKind.SCHOOL] * round(size * 0.62) + [OrgKind.PRESCHOOL] * round(size * 0.28) + \
                   [OrgKind.COLLEGE] * max(1, round(size * 0.07)) + [OrgKind.OTHER] * round(size * 0.02)
        for number, kind in enumerate(plan, start=1):
            school_no += 1
            org_rows.append(_org_row(district.pk, kind, number, rng, district.kato, district.area_type, stem=rng.choice(STEMS)))
        local_index = [d for d in districts if d.parent_id == district.parent_id].index(district)
        university = UNIVERSITIES.get((region_kato, local_index)) if scale == "small" else None
        if university:
            row = _org_row(district.pk, OrgKind.UNIVERSITY, 1, rng, district.kato, AreaType.URBAN, stem=("", "", ""))
            row.update(name_kk=university[0], name_ru=university[1], name_en=university[2])
            org_rows.append(row)
        elif scale == "national" and d_index % 2 == 0 and district.area_type == AreaType.URBAN or (scale == "national" and d_index % 9 == 0):
            org_rows.append(_org_row(district.pk, OrgKind.UNIVERSITY, 1, rng, district.kato, AreaType.URBAN, stem=rng.choice(STEMS)))
    organizations = orgunits_bulk_create(rows=org_rows, parents={d.pk: d for d in districts})

    _create_demo_users(root, regions, districts, organizations)
    audit_record(actor=None, action="demo.seed", object_type="core.orgunit", org_unit=root,
                 after={"scale": scale, "districts": len(districts), "organizations": len(organizations)})
    return SeedResult(created=True, districts=len(districts), organizations=len(organizations), logins=_demo_logins())


DEMO_USERS = [
    # username, role, where, (last, first, patronymic)
    ("admin", Role.SYSADMIN, "republic", ("Әкімшіов", "Ерлан", "Маратұлы")),
    ("ministry", Role.MINISTRY_OFFICER, "republic", ("Сейітова", "Гүлнар", "Асқарқызы")),
    ("region.astana", Role.REGION_OFFICER, "region:710000000", ("Нұрланов", "Дәулет", "Серікұлы")),
    ("district.esil", Role.DISTRICT_OFFICER, "district:Есіл ауданы", ("Омарова", "Әсел", "Бекқызы")),
    ("district.saryarka", Role.DISTRICT_OFFICER, "district:Сарыарқа ауданы", ("Жұмабаев", "Ғалым", "Қайратұлы")),
    ("head.school", Role.ORG_HEAD, "school", ("Ахметова", "Сәуле", "Ерболқызы")),
    ("teacher", Role.TEACHER, "school", ("Қасымов", "Нұржан", "Әлиұлы")),
    ("parent", Role.PARENT, "school", ("Бекова", "Айгүл", "Төлегенқызы")),
    ("head.enu", Role.ORG_HEAD, "university:710000000", ("Сыдықов", "Ерлан", "Бәтташұлы")),
    ("intl.enu", Role.INTERNATIONAL_OFFICER, "university:710000000", ("Смағұлова", "Дина", "Ержанқызы")),
    ("librarian.enu", Role.LIBRARIAN, "university:710000000", ("Оспанов", "Бауыржан", "Нұрланұлы")),
    ("student.enu", Role.STUDENT, "university:710000000", ("Исаев", "Арман", "Болатұлы")),
    ("subscriber.kaznu", Role.SUBSCRIBER, "university:750000000", ("Тоқтарова", "Жанар", "Саматқызы")),
]


def _where(spec: str, root, regions, districts, organizations) -> OrgUnit:
    kind, _sep, arg = spec.partition(":")
    if kind == "republic":
        return root
    if kind == "region":
        return regions[arg]
    astana = regions["710000000"].pk  # the demo's district users work in Astana, whose districts are real
    if kind == "district":
        return next(d for d in districts if d.parent_id == astana and d.name_kk == arg)
    if kind == "school":
        esil = next(d for d in districts if d.parent_id == astana and d.name_kk == "Есіл ауданы")
        return next(o for o in organizations if o.parent_id == esil.pk and o.kind == OrgKind.SCHOOL)
    if kind == "university":
        return next(o for o in organizations if o.kind == OrgKind.UNIVERSITY and o.kato.startswith(arg[:2]))
    raise ValueError(spec)


def _create_demo_users(root, regions, districts, organizations) -> None:
    if not any(o.kind == OrgKind.UNIVERSITY and o.kato.startswith("75") for o in organizations):
        raise RuntimeError("the demo has no university in Almaty for subscriber.kaznu")
    password = make_password(DEMO_PASSWORD)
    for username, role, spec, (last, first, patronymic) in DEMO_USERS:
        user = User.objects.create(username=username, password=password, last_name=last, first_name=first, patronymic=patronymic,
                                   is_staff=role == Role.SYSADMIN, is_superuser=role == Role.SYSADMIN,
                                   preferred_language="kk")
        RoleGrant.objects.create(user=user, role=role, org_unit=_where(spec, root, regions, districts, organizations))


def _demo_logins() -> list[tuple[str, str, str]]:
    grants = RoleGrant.objects.filter(user__username__in=[u[0] for u in DEMO_USERS]).select_related("user", "org_unit")
    order = {u[0]: i for i, u in enumerate(DEMO_USERS)}
    rows = sorted(grants, key=lambda g: order[g.user.username])
    return [(g.user.username, g.role, g.org_unit.name_en or g.org_unit.name_ru) for g in rows]
