"""Demo data of the library: collections of the Eurasian National University (ENU, Astana: the demo's
librarian.enu and student.enu) and of the Kazakh National University (KazNU, Almaty:
subscriber.kaznu), about fifty records in Kazakh (Cyrillic and Latin script), Russian and English
with every type and access level, a few small real PDFs (with Kazakh text), an EPUB and a DOCX made
on the fly and their text extracted at once, a running subscription of KazNU, and some usage.

Deterministic: the same records every time; a second run changes nothing."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from bilim.core.kazakh import to_latin
from bilim.core.models import Level, OrgKind, OrgUnit

from . import samples, services, worker
from .models import Access, Collection, Resource, Subscription, UsageAction

log = logging.getLogger(__name__)

SUBJECTS = [
    # kk, ru, en
    ("Қазақстан тарихы", "История Казахстана", "History of Kazakhstan"),
    ("Математикалық талдау", "Математический анализ", "Mathematical analysis"),
    ("Бағдарламалау негіздері", "Основы программирования", "Programming fundamentals"),
    ("Органикалық химия", "Органическая химия", "Organic chemistry"),
    ("Қазақ әдебиеті", "Казахская литература", "Kazakh literature"),
    ("Экономикалық теория", "Экономическая теория", "Economic theory"),
    ("Жалпы физика", "Общая физика", "General physics"),
    ("Педагогика", "Педагогика", "Pedagogy"),
    ("Құқық негіздері", "Основы права", "Fundamentals of law"),
    ("Экология және тұрақты даму", "Экология и устойчивое развитие", "Ecology and sustainable development"),
]
AUTHORS = {
    "kk": ["Әбенов, Серік Қайратұлы", "Исаева, Айгүл Маратқызы", "Нұрланов, Дәулет Серікұлы", "Жұмабаева, Гүлнар Ерланқызы",
           "Төлегенов, Асқар Бекұлы", "Сәрсенбаева, Ләззат Нұрланқызы"],
    "ru": ["Иванов, Пётр Сергеевич", "Ким, Ольга Владимировна", "Ахметов, Руслан Каримович", "Петрова, Анна Игоревна"],
    "en": ["Smith, John", "Brown, Emily", "Seitkali, Arman", "Novak, Eva"],
}
PUBLISHERS = {"kk": ["Фолиант", "Қазақ университеті", "Мектеп"], "ru": ["Фолиант", "Казахский университет", "Эверо"],
              "en": ["Springer", "Eurasian Academic Press", "Routledge"]}
TYPE_WORDS = {
    "textbook": ("оқулық", "учебник", "a textbook"),
    "manual": ("оқу құралы", "учебное пособие", "a study guide"),
    "monograph": ("монография", "монография", "a monograph"),
    "article": ("ғылыми мақала", "научная статья", "an article"),
    "tmc": ("оқу-әдістемелік кешен", "учебно-методический комплекс", "a teaching and methodological complex"),
    "thesis": ("диссертация", "диссертация", "a thesis"),
}
PDF_TEXTS = [
    ("Қазақстан тарихы: жоғары оқу орындарына арналған оқулық",
     ["Бұл оқулықтарының мазмұны Ұлы дала өркениетінің тарихын, қазақ хандығының құрылуын және тәуелсіздік жылдарын қамтиды.",
      "Студенттер жылқы шаруашылығы мен көшпелі мәдениеттің ерекшеліктерін, Абылай хан мен Төле бидің қызметін зерделейді.",
      "Әр тараудың соңында өзін-өзі тексеруге арналған сұрақтар мен тапсырмалар берілген."]),
    ("Математикалық талдау: оқу құралы",
     ["Шектер теориясы, туынды және интеграл ұғымдары мысалдармен түсіндіріледі.",
      "Функцияның үзіліссіздігі мен дифференциалдануы теоремалары дәлелденеді.",
      "Есептер жинағы студенттің өздік жұмысына арналған."]),
    ("Основы программирования на Python",
     ["Учебное пособие знакомит с переменными, циклами, функциями и структурами данных.",
      "Отдельная глава посвящена обработке текстов на казахском языке и кодировке Юникод."]),
    ("Sustainable development of the steppe ecosystems",
     ["This monograph studies grassland degradation in Central Kazakhstan and the recovery of saiga populations.",
      "Field data from 2015 to 2024 are analysed with remote sensing methods."]),
]


def _isbn13(seed: int) -> str:
    body = f"978601{seed % 1_000_000:06d}"
    check = (10 - sum(int(ch) * (1 if i % 2 == 0 else 3) for i, ch in enumerate(body)) % 10) % 10
    return body + str(check)


def _university(kato_prefix: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(level=Level.ORGANIZATION, kind=OrgKind.UNIVERSITY, kato__startswith=kato_prefix).order_by("pk").first()


COLLECTIONS = {
    "71": [("textbooks", "Оқулықтар мен оқу құралдары", "Учебники и учебные пособия", "Textbooks and study guides"),
           ("articles", "Ғылыми мақалалар", "Научные статьи", "Research articles"),
           ("theses", "Диссертациялар", "Диссертации", "Theses")],
    "75": [("monographs", "Монографиялар", "Монографии", "Monographs"),
           ("tmc", "Оқу-әдістемелік кешендер", "Учебно-методические комплексы", "Teaching and methodological complexes")],
}
TYPES_BY_COLLECTION = {"textbooks": ["textbook", "manual"], "articles": ["article"], "theses": ["thesis"], "monographs": ["monograph"],
                       "tmc": ["tmc"]}
ACCESS_CYCLE = [Access.OPEN, Access.SUBSCRIBERS, Access.SUBSCRIBERS, Access.OPEN, Access.UNIVERSITY]


def seed(scale: str = "small") -> dict:
    units = {prefix: _university(prefix) for prefix in COLLECTIONS}
    if any(u is None for u in units.values()):
        return {"created": False, "reason": "no universities"}
    if Collection.objects.filter(university=units["71"]).exists():
        return {"created": False}
    with transaction.atomic():
        created = _seed(units)
    worker.drain()  # extract the texts of the sample files now
    return {"created": True, **created}


def _seed(units: dict[str, OrgUnit]) -> dict:
    collections = []
    for prefix, rows in COLLECTIONS.items():
        for code, kk, ru, en in rows:
            collections.append(services.collection_create(university=units[prefix], code=code, name_kk=kk, name_ru=ru, name_en=en,
                                                           description="", by=None))
    records: list[Resource] = []
    number = 0
    today = timezone.localdate()
    for collection in collections:
        types = TYPES_BY_COLLECTION[collection.code]
        for index in range(10):
            number += 1
            language = ["kk", "kk", "ru", "en", "kk"][index % 5]
            latin = language == "kk" and index % 5 == 4  # some Kazakh records are written in the Latin alphabet
            subject = SUBJECTS[(number * 3 + index) % len(SUBJECTS)]
            kind = types[index % len(types)]
            word = TYPE_WORDS[kind][{"kk": 0, "ru": 1, "en": 2}[language]]
            if language == "kk":
                title = f"{subject[0]}: {word}"
                description = f"{subject[0]} пәні бойынша {word}. Студенттер мен оқытушыларға арналған."
                keywords = [subject[0], "жоғары білім"]
            elif language == "ru":
                title = f"{subject[1]}: {word}"
                description = f"{word.capitalize()} по дисциплине «{subject[1]}» для студентов и преподавателей вузов."
                keywords = [subject[1], "высшее образование"]
            else:
                title = f"{subject[2]}: {word.split(' ', 1)[1]}" if kind != "article" else f"{subject[2]} in Kazakhstan: recent evidence"
                description = f"{word.capitalize()} on {subject[2].lower()} for university students and lecturers."
                keywords = [subject[2], "higher education"]
            if latin:
                title, description, keywords = to_latin(title), to_latin(description), [to_latin(k) for k in keywords]
            authors = AUTHORS["kk" if language == "kk" else language]
            creators = [authors[(number + i) % len(authors)] for i in range(1 + number % 3)]
            if latin:
                creators = [to_latin(c) for c in creators]
            access_level = ACCESS_CYCLE[number % len(ACCESS_CYCLE)]
            embargo = today + dt.timedelta(days=180) if number % 17 == 0 else None
            year = 2012 + (number * 7) % 14
            records.append(services.resource_create(
                collection=collection, title=title, creators=creators, subjects=keywords, description=description,
                publisher=PUBLISHERS[language][number % 3], issued=str(year), type=kind, language=language,
                isbn=_isbn13(number * 7919) if kind in ("textbook", "manual", "monograph") else "",
                doi=f"10.48081/demo.{year}.{number:03d}" if kind == "article" else "",
                rights="CC BY 4.0" if access_level == Access.OPEN else "© " + collection.university.name_kk,
                access=access_level, embargo_until=embargo, by=None,
            ))
    # a few real files with Kazakh, Russian and English text
    samples_made = 0
    for index, (title, paragraphs) in enumerate(PDF_TEXTS):
        target = records[index * 9]
        services.file_add(resource=target, upload=SimpleUploadedFile(f"sample-{index + 1}.pdf", samples.pdf(title, paragraphs * 2)), by=None)
        samples_made += 1
    services.file_add(resource=records[3], upload=SimpleUploadedFile("tarau.epub", samples.epub(
        "Қазақ әдебиеті", [("Абай", "Абай Құнанбайұлының қара сөздері мен өлеңдері қазақ әдебиетінің інжу-маржаны."),
                           ("Мұхтар Әуезов", "«Абай жолы» роман-эпопеясы әлем әдебиетінің қазынасына енді.")])), by=None)
    services.file_add(resource=records[12], upload=SimpleUploadedFile("syllabus.docx", samples.docx(
        "Оқу-әдістемелік кешен", ["Пәннің мақсаты: студенттердің экологиялық сауаттылығын арттыру.",
                                  "Апталық тақырыптар мен бағалау критерийлері кестеде берілген."],
        table=[["Апта", "Тақырып"], ["1", "Экожүйелер"], ["2", "Су ресурстары"]])), by=None)
    Subscription.objects.create(institution=units["75"], starts=today.replace(month=1, day=1), ends=today.replace(month=12, day=31),
                                note="Демо: KazNU")
    # some use, so the usage report has figures
    for i, item in enumerate(records[:15]):
        for visitor in range(1 + i % 4):
            session = services.session_id(user=None, client=f"demo-{visitor}")
            services.usage_record(resource=item, action=UsageAction.RECORD, session=session, institution_id=units["75"].pk if visitor % 2 else 0)
            if visitor % 2 == 0:
                services.usage_record(resource=item, action=UsageAction.DOWNLOAD, session=session,
                                      institution_id=units["71"].pk if visitor else 0)
    return {"collections": len(collections), "records": len(records), "files": samples_made + 2}
