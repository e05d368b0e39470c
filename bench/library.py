"""``python -m bench library``: the search engine (``bilim.search``) on a generated multilingual
library of ``--records`` catalogue records (default 1,000,000), on SQLite and on PostgreSQL.

1. **Corpus**: deterministic records in Kazakh (a fifth of them in the 2021 Latin alphabet),
   Russian and English — titles, creators, subjects, descriptions from word lists, inflected as each
   language inflects, words drawn by a Zipf law with a long tail of rare made-up words — and full
   texts of about ``--text-words`` words for ``--fulltext-share`` of them (default 2 %).
2. **Indexing** through ``engine.index_many`` (batches of ``--batch``, one transaction per call of
   ``--chunk`` records): documents per second (the time inside the engine; generating the records is
   timed apart), and the analyzer alone in tokens per second (cold and warm memo).
3. **Queries** through ``engine.search`` — a rare word, a common word, two words, a Latin-script
   Kazakh query for Cyrillic documents, and a query with a filter and all five facets — median and
   p95; in the same run the same queries sent straight to the engine: FTS5 ``MATCH`` + ``bm25()``
   ``ORDER BY … LIMIT 20`` on SQLite, the tsquery + BM25 ranking statement on PostgreSQL; the ratio.
   Both databases' top 20 are compared.

The databases are kept in ``var/bench-library/`` (``library-N.sqlite3``; a PostgreSQL cluster of
its own in ``pg/`` with one database per size): a second run with the same ``--records`` reuses them
and says so (``reused``), reporting the indexing figures of the run that built them. Each database
runs in a child process (Django knows one database per process); the parent prints one JSON object."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from itertools import accumulate
from pathlib import Path

from bilim.core.kazakh import to_latin

from .env import BENCH_PG_SETTINGS, REPO_DIR, log
from .timing import Timing, measure, ratio, stopwatch

DATA_DIR = REPO_DIR / "var" / "bench-library"
DEFAULT_RECORDS = 1_000_000

SEED = 20260
NAMESPACE = "bench"
TYPES = ["textbook", "manual", "monograph", "article", "complex", "thesis"]
TYPE_WEIGHTS = [30, 20, 15, 20, 5, 10]
UNIVERSITIES = 60
RARE_WORD = "палеоботаника"  # planted in every RARE_EVERY-th record: the "rare word" query
RARE_EVERY = 50_000

SUBJECTS = [  # kk, ru, en
    ("Математика", "Математика", "Mathematics"), ("Физика", "Физика", "Physics"), ("Химия", "Химия", "Chemistry"),
    ("Биология", "Биология", "Biology"), ("География", "География", "Geography"), ("Тарих", "История", "History"),
    ("Қазақ тілі", "Казахский язык", "Kazakh language"), ("Қазақ әдебиеті", "Казахская литература", "Kazakh literature"),
    ("Орыс тілі", "Русский язык", "Russian language"), ("Ағылшын тілі", "Английский язык", "English language"),
    ("Информатика", "Информатика", "Computer science"), ("Педагогика", "Педагогика", "Pedagogy"),
    ("Психология", "Психология", "Psychology"), ("Экономика", "Экономика", "Economics"), ("Құқық", "Право", "Law"),
    ("Философия", "Философия", "Philosophy"), ("Медицина", "Медицина", "Medicine"), ("Экология", "Экология", "Ecology"),
    ("Әдістеме", "Методика", "Teaching methods"), ("Білім беру", "Образование", "Education"),
    ("Мәдениеттану", "Культурология", "Cultural studies"), ("Музыка", "Музыка", "Music"), ("Өнер", "Искусство", "Art"),
    ("Дене шынықтыру", "Физическая культура", "Physical education"), ("Астрономия", "Астрономия", "Astronomy"),
    ("Геология", "Геология", "Geology"), ("Ауыл шаруашылығы", "Сельское хозяйство", "Agriculture"),
    ("Инженерия", "Инженерия", "Engineering"), ("Құрылыс", "Строительство", "Construction"),
    ("Журналистика", "Журналистика", "Journalism"), ("Әлеуметтану", "Социология", "Sociology"),
    ("Саясаттану", "Политология", "Political science"), ("Тіл білімі", "Лингвистика", "Linguistics"),
    ("Статистика", "Статистика", "Statistics"), ("Бағдарламалау", "Программирование", "Programming"),
    ("Энергетика", "Энергетика", "Energy"), ("Туризм", "Туризм", "Tourism"), ("Менеджмент", "Менеджмент", "Management"),
    ("Қаржы", "Финансы", "Finance"), ("Археология", "Археология", "Archaeology"),
]

KK_WORDS = """
білім оқулық мектеп сабақ оқушы мұғалім тарих қазақ тіл әдебиет ғылым зерттеу жұмыс әдістеме бағдарлама
жоспар мәселе жүйе даму негіз тәжірибе тапсырма жаттығу есеп мысал тақырып кітап құрал нұсқаулық жинақ
мақала монография диссертация университет институт колледж студент оқытушы профессор ғалым кафедра
факультет пән курс дәріс семинар сынып бала ата ана отбасы тәрбие мәдениет өнер музыка ән өлең жыр
ақын жазушы шығарма роман әңгіме повесть аударма сөз сөйлем мәтін грамматика фонетика лексика
Қазақстан Алматы Астана Шымкент Абай Әуезов Ұлытау Арқа дала тау өзен көл теңіз жер су ауа орман
табиғат экология қоршаған орта ауыл қала халық мемлекет ел тәуелсіздік заң құқық экономика қаржы
нарық кәсіпорын өндіріс өнеркәсіп ауыл шаруашылығы егін мал техника технология цифрлық ақпарат
деректер компьютер желі интернет бағдарламалау алгоритм математика алгебра геометрия физика химия
биология география сан функция теңдеу есептеу өлшеу энергия күш жылу жарық дыбыс электр магнит
атом молекула жасуша ағза өсімдік жануар адам денсаулық медицина ауру емдеу дәрігер психология
педагогика философия тұлға қоғам тарихи ұлттық жаңа заманауи негізгі жалпы жоғары орта бастауыш
кәсіптік теориялық практикалық әдістемелік ғылыми оқу білімді сапалы тиімді қазіргі ежелгі ортағасырлық
кезең ғасыр жыл дәуір хандық батыр билер мұра құндылық дәстүр салт тіл мәдени рухани әлемдік
""".split()

RU_WORDS = """
образование учебник школа урок ученик учитель история казахский язык литература наука исследование
работа методика программа план проблема система развитие основа опыт задание упражнение задача пример
тема книга пособие сборник статья монография диссертация университет институт колледж студент
преподаватель профессор ученый кафедра факультет предмет курс лекция семинар класс ребенок семья
воспитание культура искусство музыка песня поэзия поэт писатель произведение роман рассказ повесть
перевод слово предложение текст грамматика фонетика лексика Казахстан Алматы Астана Шымкент Абай
степь гора река озеро море земля вода воздух лес природа экология среда село город народ государство
независимость закон право экономика финансы рынок предприятие производство промышленность
сельское хозяйство техника технология цифровой информация данные компьютер сеть интернет
программирование алгоритм математика алгебра геометрия физика химия биология география число функция
уравнение вычисление измерение энергия сила тепло свет звук электричество магнит атом молекула клетка
организм растение животное человек здоровье медицина болезнь лечение врач психология педагогика
философия личность общество исторический национальный новый современный основной общий высший
средний начальный профессиональный теоретический практический методический научный учебный
качественный эффективный древний средневековый период век год эпоха ханство наследие ценность традиция
""".split()

EN_WORDS = """
education textbook school lesson student teacher history kazakh language literature science research
work method program plan problem system development basis experience task exercise example topic
book manual collection article monograph dissertation university institute college lecturer professor
scientist department faculty subject course lecture seminar class child family upbringing culture art
music song poetry poet writer novel story translation word sentence text grammar phonetics vocabulary
Kazakhstan Almaty Astana Shymkent Abai steppe mountain river lake sea land water air forest nature
ecology environment village city people state independence law economy finance market enterprise
production industry agriculture engineering technology digital information data computer network
internet programming algorithm mathematics algebra geometry physics chemistry biology geography number
function equation computation measurement energy force heat light sound electricity magnet atom
molecule cell organism plant animal human health medicine disease treatment doctor psychology pedagogy
philosophy personality society historical national new modern basic general higher secondary primary
professional theoretical practical methodological scientific academic quality effective ancient
medieval period century year epoch khanate heritage value tradition
""".split()

FIRST_SYLLABLES = {
    "kk": "Нұр Ах Мет Бек Жан Сұл Тал Ер Қан Ай Бал Дәу Есен Қай Мұх Сейт Тоқ Ұлан Әбіл Жұма Қасым Мақ Сар Бай Әлі".split(),
    "ru": "Ива Пет Смир Кузн Поп Соко Лебе Козл Нови Моро Волк Алекс Федо Мих Бела Тара Кисе Сорок Зайц Павл".split(),
    "en": "Smith John Will Brown Jon Mill Dav Wil Tay Ander Tho Jack Whi Harr Mart Thomp Gar Rob Clar Lew".split(),
}
NAME_ENDINGS = {
    "kk": "ов ова ұлы қызы баев бекова жанов тайұлы ғалиев ханова ев ева".split(),
    "ru": "ов ова ин ина ский ская ев ева енко ович".split(),
    "en": "son sen ley ton man er ford well ings ams".split(),
}
INITIALS = {"kk": "АБДЕЖЗКҚЛМНОПРСТҰ", "ru": "АБВГДЕЖЗИКЛМНОПРСТ", "en": "ABCDEFGHJKLMNPRST"}
SYLLABLES = {
    "kk": "ба ға да жа қа ла ма на са та ша ер ен ел ат ар ал ан ты лы ды ық ік ұр үр ің ім сы ке те бе ме тұ құ жү ді".split(),
    "ru": "ба ва га да жа за ка ла ма на па ра са та фа ко ло но по ро то ми ни ри ти ски ния ция ство ение ист ура".split(),
    "en": "ba ca da fa ga la ma na pa ra sa ta co lo mo no ro to ri ti ni mi ver ter tion ment ness ing ism ist ure".split(),
}
TAIL = 12_000  # made-up rare words per language after the real vocabulary


def _harmony(stem: str) -> bool:
    """True for a front-vowel Kazakh stem (әеіөү), False for back."""
    for char in reversed(stem.lower()):
        if char in "әеіөүэи":
            return True
        if char in "аоұыуя":
            return False
    return False


def _kk_inflect(rng: random.Random, word: str) -> str:
    """A Kazakh form: plural, possessive and a case ending, harmonized and assimilated."""
    if len(word) < 3 or rng.random() < 0.45:
        return word
    front = _harmony(word)
    last = word[-1].lower()
    vowel = last in "аәеіоөұүыуэияю"
    voiceless = last in "пткқсшфхцч"
    out = word
    if rng.random() < 0.35:
        out += ("л" if vowel or last in "руй" else "т" if voiceless else "д") + ("ер" if front else "ар")
        vowel, voiceless = False, False
    if rng.random() < 0.4:
        if out[-1] == "п":
            out = out[:-1] + "б"
        elif out[-1] == "қ":
            out = out[:-1] + "ғ"
        elif out[-1] == "к":
            out = out[:-1] + "г"
        out += ("с" if vowel else "") + ("і" if front else "ы")
        vowel, voiceless = True, False
        case = rng.choice(["ның", "на", "н", "нда", "нан", "мен"])
        if rng.random() < 0.6:
            out += case.replace("ы", "і") if front and "ы" in case else (case.replace("а", "е") if front else case)
        return out
    case = rng.choice(["gen", "dat", "acc", "loc", "abl", "ins"])
    if case == "gen":
        suffix = ("н" if vowel or last in "мнң" else "т" if voiceless else "д") + ("ің" if front else "ың")
    elif case == "dat":
        suffix = ("к" if voiceless else "г") + "е" if front else ("қ" if voiceless else "ғ") + "а"
    elif case == "acc":
        suffix = ("н" if vowel else "т" if voiceless else "д") + ("і" if front else "ы")
    elif case == "loc":
        suffix = ("т" if voiceless else "д") + ("е" if front else "а")
    elif case == "abl":
        suffix = ("т" if voiceless else "н" if last in "мнң" else "д") + ("ен" if front else "ан")
    else:
        suffix = ("п" if voiceless else "б" if last in "жз" else "м") + "ен"
    return out + suffix


RU_ENDINGS = {"а": ["ы", "е", "у", "ой", "ами"], "я": ["и", "е", "ю", "ей"], "е": ["я", "ю", "ем"], "й": ["ого", "ому", "ые", "ых"]}


def _ru_inflect(rng: random.Random, word: str) -> str:
    if rng.random() < 0.5 or len(word) < 4:
        return word
    last = word[-1]
    if last in RU_ENDINGS:
        return word[:-1] + rng.choice(RU_ENDINGS[last]) if last != "й" else word[:-2] + rng.choice(RU_ENDINGS[last])
    if last in "бвгджзклмнпрстфхцчшщ":
        return word + rng.choice(["а", "у", "ом", "е", "ы", "ов", "ами"])
    return word


def _en_inflect(rng: random.Random, word: str) -> str:
    if rng.random() < 0.7 or word[:1].isupper():
        return word
    return word + ("es" if word.endswith(("s", "x", "sh", "ch")) else "s")


INFLECT = {"kk": _kk_inflect, "ru": _ru_inflect, "en": _en_inflect}
WORDS = {"kk": KK_WORDS, "ru": RU_WORDS, "en": EN_WORDS}


class Vocabulary:
    """Real words first, then made-up ones; drawn by a Zipf law (weight 1/rank)."""

    def __init__(self, lang: str):
        rng = random.Random(f"{SEED}-vocab-{lang}")
        made_up = set()
        while len(made_up) < TAIL:
            made_up.add("".join(rng.choice(SYLLABLES[lang]) for _ in range(rng.randint(2, 4))))
        real = WORDS[lang][:]  # in the lists' order: the first words are the most frequent
        self.words = real + sorted(made_up)
        rng.shuffle(self.words[len(real):])
        # Zipf (1/rank) from rank 30: the ranks above are the stop words the analyzer drops
        self.cumulative = list(accumulate(1.0 / (rank + 30) for rank in range(len(self.words))))
        self.total = self.cumulative[-1]
        self.real_cumulative = self.cumulative[: len(real)]

    def draw(self, rng: random.Random, k: int, *, real_only: bool = False) -> list[str]:
        cumulative = self.real_cumulative if real_only else self.cumulative
        return rng.choices(self.words[: len(cumulative)], cum_weights=cumulative, k=k)


class Corpus:
    """``record(i)``: the i-th record as ``engine.index_many`` takes it."""

    def __init__(self, fulltext_share: float = 0.02, text_words: int = 3000):
        self.vocab = {lang: Vocabulary(lang) for lang in ("kk", "ru", "en")}
        self.fulltext_every = max(1, round(1 / fulltext_share)) if fulltext_share > 0 else 0
        self.text_words = text_words
        rng = random.Random(f"{SEED}-names")
        self.names = {lang: sorted({rng.choice(FIRST_SYLLABLES[lang]) + rng.choice(SYLLABLES[lang]) + rng.choice(NAME_ENDINGS[lang])
                                    for _ in range(6000)}) for lang in ("kk", "ru", "en")}

    def _phrase(self, rng, lang, k, *, real_only=True) -> list[str]:
        inflect = INFLECT[lang]
        return [inflect(rng, w) for w in self.vocab[lang].draw(rng, k, real_only=real_only)]

    def _creator(self, rng, lang) -> str:
        name = rng.choice(self.names[lang]).capitalize()
        initials = ".".join(rng.sample(INITIALS[lang], 2)) + "."
        return f"{name} {initials}"

    def record(self, i: int) -> dict:
        rng = random.Random(f"{SEED}-{i}")
        roll = rng.random()
        lang = "kk" if roll < 0.45 else ("ru" if roll < 0.85 else "en")
        column = {"kk": 0, "ru": 1, "en": 2}[lang]
        subjects = [s[column] for s in rng.sample(SUBJECTS, rng.randint(1, 3))]
        kind = rng.choices(TYPES, weights=TYPE_WEIGHTS)[0]
        year = rng.randint(1991, 2025)
        title_words = self._phrase(rng, lang, rng.randint(2, 6))
        if rng.random() < 0.3:
            grade = rng.randint(1, 11)
            title_words += [{"kk": f"{grade}-сынып", "ru": f"{grade} класс", "en": f"grade {grade}"}[lang]]
        title = subjects[0] + ": " + " ".join(title_words)
        sentences = []
        for _ in range(rng.randint(2, 5)):
            words = self._phrase(rng, lang, rng.randint(6, 14), real_only=rng.random() < 0.7)
            sentences.append(" ".join(words).capitalize() + ".")
        if i % RARE_EVERY == 7:
            sentences.append(f"{RARE_WORD.capitalize()}.")
        description = " ".join(sentences)
        text = ""
        if self.fulltext_every and i % self.fulltext_every == 3:
            n = max(200, int(rng.gauss(self.text_words, self.text_words / 3)))
            words = self._phrase(rng, lang, n, real_only=False)
            text = " ".join(" ".join(words[start : start + 12]).capitalize() + "." for start in range(0, n, 12))
        creators = [self._creator(rng, lang) for _ in range(rng.randint(1, 3))]
        if lang == "kk" and rng.random() < 0.2:  # Kazakh in the 2021 Latin alphabet
            title, description, text = to_latin(title), to_latin(description), to_latin(text)
            creators = [to_latin(c) for c in creators]
            subjects_shown = [to_latin(s) for s in subjects]
        else:
            subjects_shown = subjects
        return {
            "namespace": NAMESPACE,
            "key": str(i),
            "lang": lang,
            "fields": {"title": title, "creators": creators, "subjects": subjects_shown, "description": description, "text": text},
            "facets": {"type": [kind], "language": [lang], "year": [str(year)], "university": [str(rng.randint(1, UNIVERSITIES))],
                       "subject": subjects},
            "snippet_source": text or description,
        }



# --- the benchmark -------------------------------------------------------------------------------

FACETS = ["type", "language", "year", "university", "subject"]
QUERIES = {  # name → (q, filters, facets)
    "rare_word": (RARE_WORD, {}, []),
    "common_word": ("білім", {}, []),
    "two_words": ("Қазақстан тарихы", {}, []),
    "latin_kazakh": ("oqulyqtarynyń", {}, []),  # Latin script: matches the Cyrillic оқулық and its forms
    "with_facets": ("математика", {"language": ["kk"]}, FACETS),
}
PER_PAGE = 20


def add_arguments(group) -> None:
    group.add_argument("--records", type=int, default=DEFAULT_RECORDS, help=f"records in the corpus (default {DEFAULT_RECORDS:,})")
    group.add_argument("--fulltext-share", type=float, default=0.02, help="share of records with a full text (default 0.02)")
    group.add_argument("--text-words", type=int, default=3000, help="average words of a full text (default 3000)")
    group.add_argument("--batch", type=int, default=5000, help="engine.index_many batch size (default 5000)")
    group.add_argument("--chunk", type=int, default=10_000, help="records per index_many call and transaction (default 10,000)")
    group.add_argument("--vendor", choices=["both", "sqlite", "postgresql"], default="both",
                       help="database(s) to run on (default both, each in a child process)")


def run(args) -> dict:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    if args.vendor != "both":
        return _run_here(args)
    results = {vendor: _child(vendor, args) for vendor in ("sqlite", "postgresql")}
    same = {}
    for name in QUERIES:
        tops = [results[v]["queries"][name]["top"] for v in results]
        same[name] = tops[0] == tops[1]
    return {
        "bench": "library",
        "records": args.records,
        "fulltext_share": args.fulltext_share,
        "sqlite": results["sqlite"],
        "postgresql": results["postgresql"],
        "identical_top20_on_both": same,
    }


def _database_url(vendor: str, records: int) -> str:
    """The benchmark's own database for ``vendor`` and this corpus size, never another benchmark's."""
    if vendor == "sqlite":
        return f"sqlite:///{DATA_DIR / f'library-{records}.sqlite3'}"
    return _ensure_cluster(f"library_{records}")


def _child(vendor: str, args) -> dict:
    env = dict(os.environ)
    env["BILIM_BENCH_DATABASE_URL"] = _database_url(vendor, args.records)
    command = [sys.executable, "-m", "bench", "library", "--vendor", vendor, "--records", str(args.records),
               "--fulltext-share", str(args.fulltext_share), "--text-words", str(args.text_words), "--batch", str(args.batch),
               "--chunk", str(args.chunk), "--repeat", str(args.repeat), "--warmup", str(args.warmup)]
    log(f"{vendor}: {' '.join(command[1:])}")
    done = subprocess.run(command, env=env, cwd=REPO_DIR, stdout=subprocess.PIPE, text=True)
    if done.returncode:
        raise SystemExit(f"bench library: the {vendor} run failed (status {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _ensure_cluster(database: str) -> str:
    """The URL of ``database`` in the benchmark's own PostgreSQL cluster (``var/bench-library/pg``),
    created and started as needed and kept between runs."""
    import glob
    import socket

    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        raise SystemExit("bench: PostgreSQL server binaries not found (Debian package postgresql)")
    pgbin = Path(bins[-1]).parent
    home = DATA_DIR / "pg"
    data, port_file = home / "data", home / "port"
    as_pg = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    if not data.exists():
        home.mkdir(parents=True, exist_ok=True)
        if os.getuid() == 0:
            subprocess.run(["chown", "postgres:postgres", str(home)], check=True)
        log(f"creating the library benchmark's PostgreSQL cluster in {data}")
        subprocess.run([*as_pg, str(pgbin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                        "--locale=C.UTF-8"], check=True, stdout=subprocess.DEVNULL)
    if subprocess.run([*as_pg, str(pgbin / "pg_ctl"), "-D", str(data), "status"], stdout=subprocess.DEVNULL).returncode != 0:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        log(f"starting the library benchmark's PostgreSQL cluster on port {port}")
        subprocess.run([*as_pg, str(pgbin / "pg_ctl"), "-D", str(data), "-l", str(home / "server.log"), "-w", "-t", "120",
                        "-o", f"-p {port} -k {home} -c listen_addresses=127.0.0.1 {BENCH_PG_SETTINGS}", "start"],
                       check=True, stdout=subprocess.DEVNULL)
        port_file.write_text(str(port))
    port = port_file.read_text().strip()
    subprocess.run([*as_pg, str(pgbin / "psql"), "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-qc", f"CREATE DATABASE {database}"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return f"postgres://postgres@127.0.0.1:{port}/{database}"


def _run_here(args) -> dict:
    from .env import database_version, setup_django

    os.environ["BILIM_BENCH_DATABASE_URL"] = _database_url(args.vendor, args.records)
    vendor = setup_django()
    from django.core.management import call_command
    from django.db import connection

    from bilim.search.models import Document

    with stopwatch() as migrate_sw:
        call_command("migrate", interactive=False, verbosity=0, stdout=sys.stderr, stderr=sys.stderr)
    corpus = Corpus(args.fulltext_share, args.text_words)
    result: dict = {"database": vendor, "version": database_version(connection), "migrate_s": round(migrate_sw.seconds, 1)}
    result["analyzer"] = _analyzer_speed(corpus)
    meta_path = DATA_DIR / f"index-{vendor}-{args.records}.json"
    have = Document.objects.filter(namespace=NAMESPACE).count()
    if have >= args.records and meta_path.exists():
        log(f"{vendor}: reusing the index of {have:,} records")
        result["reused"] = True
        result["indexing"] = json.loads(meta_path.read_text())
    else:
        result["reused"] = False
        result["indexing"] = _index(corpus, args, have, meta_path)
    result["size_mb"] = _size_mb(connection)
    result["queries"], result["mix"] = _queries(args)
    return result


def _analyzer_speed(corpus: Corpus, sample: int = 2000) -> dict:
    """The analyzer alone over the fields of ``sample`` records (every 25th with a full text, so the
    mix of short metadata and long texts is that of the corpus): tokens per second, memo cold and warm."""
    from bilim.search import analyzer

    texts = []
    for i in range(sample):
        record = corpus.record(i)
        fields = record["fields"]
        texts += [(fields["title"], record["lang"]), ("\n".join(fields["creators"]), record["lang"]),
                  ("\n".join(fields["subjects"]), record["lang"]), (fields["description"], record["lang"]),
                  (fields["text"], record["lang"])]
    tokens = sum(len(analyzer.tokens(text)) for text, _lang in texts)
    out = {"sample_records": sample, "tokens": tokens}
    for label in ("cold", "warm"):
        if label == "cold":
            analyzer.clear_caches()
        started = time.perf_counter()
        for text, lang in texts:
            analyzer.analyse(text, lang)
        out[f"{label}_tokens_per_s"] = round(tokens / (time.perf_counter() - started))
    return out


def _index(corpus: Corpus, args, have: int, meta_path: Path) -> dict:
    from django.db import connection

    from bilim.search import engine

    if have:
        log(f"resuming: {have:,} records already indexed")
    generate_s = index_s = 0.0
    docs_with_text = 0
    started = time.perf_counter()
    last_log = started
    for start in range(have, args.records, args.chunk):
        stop = min(args.records, start + args.chunk)
        with stopwatch() as gen:
            records = [corpus.record(i) for i in range(start, stop)]
        generate_s += gen.seconds
        docs_with_text += sum(1 for r in records if r["fields"]["text"])
        with stopwatch() as sw:
            engine.index_many(records, batch_size=args.batch)
        index_s += sw.seconds
        if time.perf_counter() - last_log > 30 or stop == args.records:
            last_log = time.perf_counter()
            rate = (stop - have) / index_s
            log(f"  {stop:,} records indexed, {rate:,.0f} docs/s in the engine, about "
                f"{(args.records - stop) / max(1, (stop - have) / (last_log - started)) / 60:.0f} min left")
    with stopwatch() as maintenance:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load: statistics, visibility map
            else:
                cursor.execute("ANALYZE")
    indexed = args.records - have
    info = {
        "records": indexed,
        "with_full_text": docs_with_text,
        "index_s": round(index_s, 1),
        "docs_per_s": round(indexed / index_s) if index_s else None,
        "generate_s": round(generate_s, 1),
        "analyze_s": round(maintenance.seconds, 1),
        "resumed_from": have,
    }
    meta_path.write_text(json.dumps(info))
    return info


def _size_mb(connection) -> dict:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            name = connection.settings_dict["NAME"]
            return {"database": round(Path(name).stat().st_size / 2**20)}
        cursor.execute("SELECT pg_database_size(current_database())")
        total = cursor.fetchone()[0]
        cursor.execute("SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relname IN "
                       "('search_document', 'search_posting', 'search_term', 'search_facet')")
        sizes = {name: round(size / 2**20) for name, size in cursor.fetchall()}
        return {"database": round(total / 2**20), **sizes}


def _queries(args) -> tuple[dict, dict]:
    from django.db import connection

    from bilim.search import engine

    backend = engine._backend()
    out: dict = {}
    all_engine: list[float] = []
    all_raw: list[float] = []
    for name, (q, filters, facets) in QUERIES.items():
        through = measure(lambda: engine.search(NAMESPACE, q, filters=filters, facets=facets, per_page=PER_PAGE),
                          repeat=args.repeat, warmup=args.warmup)
        result = through.last_result
        query = backend.query(engine.parse_query(q), NAMESPACE)
        raw_sql, raw_params = _raw_statement(backend, query, filters)

        def raw():
            with connection.cursor() as cursor:
                cursor.execute(raw_sql, raw_params)
                return [row[0] for row in cursor.fetchall()]

        straight = measure(raw, repeat=args.repeat, warmup=args.warmup)
        top = [hit.key for hit in result.hits]
        with connection.cursor() as cursor:
            ids = straight.last_result or [0]
            cursor.execute(f"SELECT key FROM search_document WHERE id IN ({', '.join(['%s'] * len(ids))})", ids)
            raw_keys = {row[0] for row in cursor.fetchall()}
        out[name] = {
            "q": q, "filters": filters, "facets": facets, "total": result.total, "top": top,
            "engine": through.as_dict(), "raw": straight.as_dict(), "ratio": ratio(through, straight),
            "raw_top_agrees": raw_keys == set(top),
        }
        if connection.vendor == "postgresql":
            out[name]["postgresql_match"] = "gin" if query.selective else "postings"
        all_engine += through.samples
        all_raw += straight.samples
        log(f"{connection.vendor} {name}: {result.total:,} hits, engine {through.median_ms:.1f} ms, raw {straight.median_ms:.1f} ms")
    mixed, mixed_raw = Timing(all_engine), Timing(all_raw)
    return out, {"engine": mixed.as_dict(), "raw": mixed_raw.as_dict(), "ratio": ratio(mixed, mixed_raw)}


def _raw_statement(backend, query, filters: dict) -> tuple[str, list]:
    """The ranking statement alone, the query already analysed (and, on PostgreSQL, its term
    statistics already read): FTS5 MATCH + bm25() ORDER BY … LIMIT on SQLite; on PostgreSQL the
    engine's match-and-BM25 statement (GIN or postings) ORDER BY score LIMIT. What the engine adds —
    the total, the facets, the page's keys, snippets — is the difference measured."""
    from bilim.search import engine

    from django.db import connection

    if connection.vendor == "sqlite":
        where, params = engine._filter_sql(filters, "search_fts.rowid")
        weights = ", ".join(f"{w:.1f}" for w in engine.WEIGHTS)
        return (f"SELECT search_fts.rowid FROM search_fts WHERE search_fts MATCH %s{where}"
                f" ORDER BY bm25(search_fts, {weights}) LIMIT {PER_PAGE}", [query.match, *params])
    hits, params = backend.hits(query, NAMESPACE)
    where, where_params = engine._filter_sql(filters, "h.id")
    return f"WITH {hits} SELECT h.id FROM hits h WHERE true{where} ORDER BY h.score DESC LIMIT {PER_PAGE}", [*params, *where_params]
