"""Our own analyzer for Kazakh, Russian and English: text → the terms the index stores.

The same Python code analyses documents and queries for both databases, and the databases only see
the resulting terms (SQLite FTS5 splits them on spaces, PostgreSQL gets them as lexemes), so both
engines hold identical tokens.

**Steps.** NFKC, case folding that knows Kazakh (``İ`` → i, dotted/dotless i, no stray combining
dot), apostrophes inside words dropped (o'quv, student's), Latin/Cyrillic look-alike letters inside
one word repaired (a Latin «c» typed in «мектеп»), tokens = runs of letters and digits (each Chinese
or Japanese character is a token of its own). Then each token gets its analyses:

* ``plain`` — the search key of ``core.kazakh``: both scripts, both Kazakh Latin alphabets (2021 and
  2018) and the letters readers type without diacritics fold to one plain-Latin form, so «оқулық»,
  «oqulyq» and «OQULYQ» are one term;
* ``kk`` — ``plain`` with Kazakh inflection stripped by ``KAZAKH_SUFFIXES`` (a table of rules: case,
  then possessive, then plural, each with the sounds it may follow, vowel harmony and a minimum stem)
  and the stem-final б/г/ғ that inflection voices turned back (кітабы → кітап, оқулығы → оқулық);
* ``ru`` / ``en`` — Snowball (PyStemmer) stems of Cyrillic / Latin words.

**Index time** (``index_terms(text, lang)``): a document has a language (kk, ru, en; anything else is
"other"). A word with a letter only Kazakh has (ә ғ қ ң ө ұ ү һ і, ä ğ ñ ö ū ü ş ı á ǵ ń ó ú ý) gets
``kk`` in any document; otherwise a Kazakh document's words get ``kk``, a Russian or English
document's words the stem of their script (``ru`` for Cyrillic, ``en`` for Latin), an "other"
document's words ``plain``. ``alias_terms(text, lang)``: in a Kazakh document, the Cyrillic words
without Kazakh letters (математика, школа, университет — the Russian loanwords) also get their
``ru`` stem as an *alias*: the engine stores aliases in a column of weight 0, so a Russian-looking
query («математики») finds the Kazakh document without ranking it twice.

**Query time** (``query_terms(q)``): the query's language is unknown, so each word becomes the set of
its alternatives — ``plain``, ``kk``, ``ru`` (Cyrillic without Kazakh letters) or ``en`` (Latin
without Kazakh letters), and, when Kazakh endings were stripped, the Russian stem of the
Kazakh stem (so «Алматыдағы» finds a Russian document's «Алматы»). A document matches when every
word matches one of its alternatives.

Stop words (small lists, data) are dropped per language; at query time a word is dropped when it is a
stop word in any language of its script, so a query never demands a word the index left out.
Everything is memoized per token; ``bench library`` reports tokens/s."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

from bilim.core.kazakh import KAZAKH_CYRILLIC_LETTERS, KAZAKH_LATIN_LETTERS, SEARCH_KEY, to_cyrillic

KAZAKH, RUSSIAN, ENGLISH, OTHER = "kk", "ru", "en", "other"
STEMMED_LANGUAGES = (KAZAKH, RUSSIAN, ENGLISH)
MAX_TOKEN = 64  # longer "words" are hashes, URLs without separators, base64: not indexed

# --- stop words (data) ---------------------------------------------------------------------------

# Kazakh, in Cyrillic; compared by search key (so «jáne», «jane» and «және» are all the same stop word)
# before and after suffix stripping.
KAZAKH_STOP_WORDS = """
және мен бен пен да де та те ал бірақ немесе не әрі яғни үшін туралы бойынша арқылы сияқты секілді
сайын дейін шейін соң бұл осы сол ол олар оның оны оған онда одан олардың оларды оларға бұның мұның
мұны бұны осының соның сен сіз біз сендер сіздер олар менің сенің сіздің біздің өз өзі өзінің әр әрбір
кейбір ең өте тым аса ғана қана ма ме ба бе па пе ғой қой ше еді екен болып
""".split()
RUSSIAN_STOP_WORDS = frozenset("""
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее её мне было
вот от меня еще ещё нет о об из ему когда даже ну ли если уже или ни быть был него до вас уж вам ведь
там потом себя ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего себе
под будет ж тогда кто этот того потому этого какой ним здесь этом мой тем чтобы нее неё были куда зачем
всех можно при хоть после над тот через эти нас про всего них какая эту моя свою этой перед том такой им
более всю между также это этих которые который которая которого которых которой котором
""".split())
ENGLISH_STOP_WORDS = frozenset("""
a an and are as at be been but by for from has have he her his i if in into is it its of on or our she
so than that the their them then there these they this those to was were which who will with you your
not no s t d ll m re ve
""".split())

# --- Kazakh suffixes (data) ----------------------------------------------------------------------
# Sounds a suffix may follow, as search-key letters (й and у have the keys i and u, so they are both
# vowels and sonorants here; ш, ч, х, һ end in h).
VOWEL = frozenset("aeiouy")
NASAL = frozenset("mn")            # м н ң
SONORANT = frozenset("lrijuz")     # л р й у ж з
VOICED_STOP = frozenset("bvgd")    # б в г д (loanwords)
VOICELESS = frozenset("ptkqsfhc")  # п т к қ с ф х һ ш ч ц
CONSONANT = frozenset("bcdfghjklmnpqrstvwxz")
ANY = VOWEL | CONSONANT


@dataclass(frozen=True)
class SuffixRule:
    """One row of ``KAZAKH_SUFFIXES``: Cyrillic variants (back/front vowel pairs), the sounds the
    suffix follows, the shortest stem it may leave, endings it must not follow, and whether it
    takes part in vowel harmony."""

    suffixes: str
    after: frozenset
    min_stem: int = 2
    not_after: tuple[str, ...] = ()
    harmony: bool = True


R = SuffixRule
# Order matters only between classes: one case ending is stripped, then possessives (at most twice:
# үлгісі → үлгі → үлг, as үлгі itself → үлг), then one plural. Within a class the longest suffix
# that fits wins. Left out on purpose:
# * 1st/2nd person singular possessives -ым/-ім/-м, -ың/-ің/-ң: they are the endings of білім, ғылым,
#   өнім, мұғалім, қалың — stripping them would merge білім with біл-;
# * accusative -н after a 3rd-person possessive (кітабы-н): -ын/-ін ends ақын, келін, ағылшын.
#   -сын/-сін (after a vowel: баласын) is kept.
KAZAKH_SUFFIXES: dict[str, list[SuffixRule]] = {
    "case": [
        # genitive: -ның after vowels and м н ң, -дың after л р й у ж з, -тың after the voiceless
        R("ның нің", VOWEL | NASAL), R("дың дің", SONORANT), R("тың тің", VOICELESS | VOICED_STOP),
        # dative; -на/-не only after a 3rd-person possessive, written whole (оқулығы-на, баласы-на)
        R("ға ге", VOWEL | NASAL | SONORANT), R("қа ке", VOICELESS | VOICED_STOP),
        R("ына іне", CONSONANT, min_stem=3), R("сына сіне", VOWEL),
        # accusative
        R("ны ні", VOWEL), R("ды ді", NASAL | SONORANT), R("ты ті", VOICELESS | VOICED_STOP),
        R("сын сін", VOWEL, min_stem=3),
        # locative
        R("да де", VOWEL | NASAL | SONORANT), R("та те", VOICELESS | VOICED_STOP),
        R("ында інде", CONSONANT, min_stem=3), R("сында сінде", VOWEL),
        # ablative (-тан never after -с of -стан: Қазақстан, Түркістан are names, not "from Қазақс")
        R("дан ден", VOWEL | SONORANT), R("нан нен", NASAL), R("тан тен", VOICELESS | VOICED_STOP, not_after=("s",)),
        R("ынан інен", CONSONANT, min_stem=3), R("сынан сінен", VOWEL),
        # instrumental: no vowel harmony (баламен, кітаппен)
        R("мен", VOWEL | NASAL | (SONORANT - {"j", "z"}), harmony=False), R("бен", frozenset("jz"), harmony=False),
        R("пен", VOICELESS | VOICED_STOP, harmony=False),
        # locative + -ғы: Қазақстандағы, мектептегі, баласындағы
        R("дағы дегі", VOWEL | NASAL | SONORANT), R("тағы тегі", VOICELESS | VOICED_STOP),
        R("ындағы індегі", CONSONANT, min_stem=3), R("сындағы сіндегі", VOWEL),
    ],
    "possessive": [
        # 3rd person: -ы/-і after consonants (and й, у: үйі, тауы), -сы/-сі after vowels; not after
        # ш, whose -шы/-ші is the agent suffix (оқушы, жазушы), not a possessive
        R("ы і", CONSONANT | {"i", "u"}, not_after=("sh",)), R("сы сі", VOWEL),
        # 1st person plural, 2nd person polite
        R("ымыз іміз", CONSONANT), R("мыз міз", VOWEL),
        R("ыңыз іңіз", CONSONANT), R("ңыз ңіз", VOWEL),
    ],
    "plural": [
        R("лар лер", VOWEL | {"r"}), R("дар дер", frozenset("lmnjz")), R("тар тер", VOICELESS | VOICED_STOP),
    ],
}
POSSESSIVE_PASSES = 2
# Stem-final consonants voiced before a vowel-initial suffix, back to their dictionary form: б → п,
# г/ғ → к/қ (the search key does not tell к from қ at the end of a stem, so both are k).
FINAL_DEVOICING = {"b": "p", "g": "k", "q": "k"}


def _key_char(char: str) -> str:
    key = SEARCH_KEY.get(char)
    if key is not None:
        return key
    if char.isascii():
        return char
    return "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))


def _compile_rules() -> dict[str, tuple[tuple[int, ...], dict[str, list[tuple[int, frozenset, int, tuple[str, ...]]]]]]:
    """The table as search keys: per class, the suffix lengths (longest first) and, per suffix, its
    rows (harmony +1 back, -1 front, 0 none; the sounds it follows; minimum stem; endings it must
    not follow). Looking a word's last 1…6 letters up is what makes stripping cheap."""
    compiled = {}
    for cls, rules in KAZAKH_SUFFIXES.items():
        by_suffix: dict[str, list] = {}
        for rule in rules:
            for cyrillic in rule.suffixes.split():
                key = "".join(_key_char(c) for c in cyrillic)
                harmony = 0
                if rule.harmony:
                    harmony = 1 if set(key) & {"a", "y"} else (-1 if set(key) & {"e", "i"} else 0)
                by_suffix.setdefault(key, []).append((harmony, rule.after, rule.min_stem, rule.not_after))
        compiled[cls] = (tuple(sorted({len(k) for k in by_suffix}, reverse=True)), by_suffix)
    return compiled


_RULES = _compile_rules()


def _harmony(stem: str) -> int:
    """+1 if the stem's last telling vowel is back (ы), -1 if front (е), 0 if the key cannot tell
    (a, o, u stand for both; i for і, и and й)."""
    for char in reversed(stem):
        if char == "y":
            return 1
        if char == "e":
            return -1
        if char in "aou":
            return 0
    return 0


def _strip_one(word: str, table) -> str | None:
    lengths, by_suffix = table
    size = len(word)
    for length in lengths:
        if length >= size:
            continue
        rows = by_suffix.get(word[size - length:])
        if rows is None:
            continue
        stem = word[: size - length]
        for harmony, after, min_stem, not_after in rows:
            if len(stem) < min_stem or stem[-1] not in after or VOWEL.isdisjoint(stem):
                continue
            if not_after and stem.endswith(not_after):
                continue
            if harmony and (stem_harmony := _harmony(stem)) and stem_harmony != harmony:
                continue
            return stem
    return None


def kazakh_strip(key: str) -> str:
    """Kazakh inflection stripped from a search key (case → possessive → plural), without the
    final devoicing: the length tells where the stem ends in the original word."""
    if not key.isalpha() or len(key) < 3:
        return key
    word = key
    stem = _strip_one(word, _RULES["case"])
    if stem is not None:
        word = stem
    for _ in range(POSSESSIVE_PASSES):
        stem = _strip_one(word, _RULES["possessive"])
        if stem is None:
            break
        word = stem
    stem = _strip_one(word, _RULES["plural"])
    if stem is not None:
        word = stem
    return word


def _devoice(stem: str) -> str:
    if len(stem) >= 3 and stem[-1] in FINAL_DEVOICING and stem.isalpha():
        return stem[:-1] + FINAL_DEVOICING[stem[-1]]
    return stem


def kazakh_stem(key: str) -> str:
    """The ``kk`` term of a search key: inflection stripped, stem-final б/г/ғ/қ devoiced."""
    return _devoice(kazakh_strip(key))


KAZAKH_STOP_KEYS = frozenset("".join(_key_char(c) for c in word) for word in KAZAKH_STOP_WORDS)

# --- normalization and tokens --------------------------------------------------------------------

_COMBINING = re.compile("[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])['’ʼʻ`´](?=[^\W\d_])")
_TOKEN = re.compile(r"[^\W_]+")
_CJK = re.compile("([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f])")
_CYRILLIC = re.compile("[\u0400-\u04ff\u0500-\u052f]")
_LATIN = re.compile("[a-z\u00c0-\u024f\u1e00-\u1eff\u0259\u0275\u014b]")
# Letters that look alike in the two scripts (lower case, after folding).
_TO_CYRILLIC = str.maketrans("aceopxyikhə", "асеорхуікһә")
_TO_LATIN = str.maketrans("асеорхуікһә", "aceopxyikhə")
_LOOKALIKE_LATIN = frozenset("aceopxyikhə")
_LOOKALIKE_CYRILLIC = frozenset("асеорхуікһә")


def _normalize_once(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("İ", "i").casefold()
    text = _COMBINING.sub("", text)
    return unicodedata.normalize("NFC", text)


def normalize(text: str) -> str:
    """NFKC, Kazakh-aware case folding, stray combining marks removed. Idempotent."""
    text = text or ""
    if text.isascii():
        return text.lower()
    for _ in range(4):
        folded = _normalize_once(text)
        if folded == text:
            break
        text = folded
    return text


def _repair_script(token: str) -> str:
    """A word mixing Cyrillic and Latin letters that look alike («мeктeп» with Latin e) is written
    in the script of most of its letters, when the odd letters are all look-alikes."""
    cyrillic = len(_CYRILLIC.findall(token))
    latin = len(_LATIN.findall(token))
    if not cyrillic or not latin:
        return token
    if cyrillic >= latin:
        odd = {c for c in token if _LATIN.match(c)}
        return token.translate(_TO_CYRILLIC) if odd <= _LOOKALIKE_LATIN else token
    odd = {c for c in token if _CYRILLIC.match(c)}
    return token.translate(_TO_LATIN) if odd <= _LOOKALIKE_CYRILLIC else token


def _split(raw: str) -> tuple[str, ...]:
    """The normalized tokens of one run of word characters: CJK characters one by one, look-alike
    letters repaired, overlong runs dropped."""
    if not raw.isascii():
        if _CJK.search(raw):
            return tuple(part for part in _CJK.split(raw) if part)
        raw = _repair_script(raw)
    return (raw,) if len(raw) <= MAX_TOKEN else ()


_SPLIT_CACHE: dict[str, tuple[str, ...]] = {}
_CACHE_MAX = 1 << 18  # entries per memo (≈ 50 MB at most each): a web worker keeps them


def _prepared(text: str) -> str:
    return _APOSTROPHE.sub("", normalize(text))


def tokens(text: str) -> list[str]:
    """The normalized words of ``text``, in order (duplicates kept)."""
    out: list[str] = []
    cache = _SPLIT_CACHE
    for raw in _TOKEN.findall(_prepared(text)):
        parts = cache.get(raw)
        if parts is None:
            if len(cache) >= _CACHE_MAX:
                cache.clear()
            parts = cache[raw] = _split(raw)
        out.extend(parts)
    return out


# --- analyses of one token -----------------------------------------------------------------------

_ru = Stemmer.Stemmer("russian")
_en = Stemmer.Stemmer("english")
CYR, LAT, KAZ_CYR, KAZ_LAT, NUM, MIXED = "cyr", "lat", "kaz_cyr", "kaz_lat", "num", "mixed"


@dataclass(frozen=True)
class Token:
    kind: str
    plain: str
    kk: str | None         # None: a Kazakh stop word
    own: str | None        # the Snowball stem of the token's script (ru or en); None: stop word or no script
    projection: str | None  # the Russian stem of the Kazakh stem (only when Kazakh endings were stripped)
    stop: bool              # a stop word in some language of its script: dropped from queries


def _kind(token: str) -> str:
    if not token.isalpha() and any(c.isdigit() for c in token):
        return NUM
    cyrillic = _CYRILLIC.search(token) is not None
    if token.isascii():
        return LAT
    latin = _LATIN.search(token) is not None
    if cyrillic and latin:
        return MIXED
    if cyrillic:
        return CYR if KAZAKH_CYRILLIC_LETTERS.isdisjoint(token) else KAZ_CYR
    if latin:
        return LAT if KAZAKH_LATIN_LETTERS.isdisjoint(token) else KAZ_LAT
    return MIXED


_KEY_TABLE = str.maketrans(SEARCH_KEY)


def _key(token: str) -> str:
    """The search key of a normalized token (``core.kazakh.search_key`` without re-normalizing)."""
    key = token.translate(_KEY_TABLE)
    if not key.isascii():
        key = "".join(_key_char(c) if not c.isascii() else c for c in key)
    return _clean(key)


_NOT_WORD = re.compile(r"[\W_]+")


def _clean(term: str) -> str:
    """Only letters and digits: what FTS5's tokenizer and tsquery take as one word."""
    return term if term.isalnum() else _NOT_WORD.sub("", term)


@lru_cache(maxsize=1 << 18)
def analyse_token(token: str) -> Token:
    """Every analysis of one normalized token (memoized)."""
    kind = _kind(token)
    plain = _key(token)
    if not plain:
        # only signs without a sound of their own (ъ, ь): nothing to find a document by
        return Token(kind, "", None, None, None, True)
    if kind in (NUM, MIXED) or not plain.isalpha():
        return Token(kind, plain, plain, plain, None, False)
    stripped = kazakh_strip(plain)
    kk_stop = plain in KAZAKH_STOP_KEYS or stripped in KAZAKH_STOP_KEYS
    kk = None if kk_stop else (_devoice(stripped) or plain)
    own = None
    own_stop = False
    if kind in (CYR, KAZ_CYR):
        own_stop = token in RUSSIAN_STOP_WORDS
        own = None if own_stop or kind == KAZ_CYR else (_clean(_ru.stemWord(token)) or token)
    else:
        own_stop = token in ENGLISH_STOP_WORDS
        own = None if own_stop or kind == KAZ_LAT else (_clean(_en.stemWord(token)) or token)
    projection = None
    if kk is not None and len(stripped) < len(plain):
        # where the Kazakh stem ends in the word as written (None inside a digraph such as ш → sh)
        length, cut = 0, None
        for index, char in enumerate(token):
            length += len(_key(char))
            if length == len(stripped):
                cut = index + 1
                break
        if cut:
            stem = token[:cut]
            if kind in (LAT, KAZ_LAT):
                stem = to_cyrillic(stem)
            projection = _clean(_ru.stemWord(stem)) or None
    return Token(kind, plain, kk, own, projection, kk_stop or own_stop)


def _index_term(info: Token, lang: str) -> tuple[str | None, str | None]:
    """(term, alias) of one analysed token in a document of language ``lang``."""
    kind = info.kind
    if kind in (NUM, MIXED):
        return info.plain, None
    if lang not in STEMMED_LANGUAGES:
        return info.plain, None
    if kind in (KAZ_CYR, KAZ_LAT) or lang == KAZAKH:
        if info.kk is None:
            return None, None
        alias = info.own if (kind == CYR and lang == KAZAKH and info.own != info.kk) else None
        return info.kk, alias
    return info.own, None


_INDEX_CACHE: dict[str, dict[str, tuple[str | None, str | None]]] = {}


def index_token(token: str, lang: str) -> tuple[str | None, str | None]:
    """(term, alias) of one normalized token in a document of language ``lang`` (memoized)."""
    lang = document_language(lang)
    cache = _INDEX_CACHE.setdefault(lang, {})
    cached = cache.get(token)
    if cached is None:
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cached = cache[token] = _index_term(analyse_token(token), lang)
    return cached


def document_language(lang: str) -> str:
    """kk, ru or en; any other language code is analysed as "other" (no stemming)."""
    return lang if lang in STEMMED_LANGUAGES else OTHER


_RAW_CACHE: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {}


def _raw_terms(raw: str, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    terms, aliases = [], []
    for token in _split(raw):
        term, alias = index_token(token, lang)
        if term:
            terms.append(term)
        if alias:
            aliases.append(alias)
    return tuple(terms), tuple(aliases)


def analyse(text: str, lang: str) -> tuple[list[str], list[str]]:
    """(terms, aliases) of ``text`` in a document of language ``lang``."""
    lang = document_language(lang)
    cache = _RAW_CACHE.setdefault(lang, {})
    terms: list[str] = []
    aliases: list[str] = []
    for raw in _TOKEN.findall(_prepared(text)):
        entry = cache.get(raw)
        if entry is None:
            if len(cache) >= _CACHE_MAX:
                cache.clear()
            entry = cache[raw] = _raw_terms(raw, lang)
        if entry[0]:
            terms.extend(entry[0])
        if entry[1]:
            aliases.extend(entry[1])
    return terms, aliases


_WRITTEN_CACHE: dict[str, dict[str, frozenset[str]]] = {}


def written_word_terms(word: str, lang: str) -> frozenset[str]:
    """Every term a word as written in a document of language ``lang`` stands for — its term, its
    alias and its search key — for highlighting (memoized)."""
    lang = document_language(lang)
    cache = _WRITTEN_CACHE.setdefault(lang, {})
    found = cache.get(word)
    if found is None:
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        found = set()
        for token in tokens(word):
            found.update(t for t in index_token(token, lang) if t)
            plain = analyse_token(token).plain
            if plain:
                found.add(plain)
        found = cache[word] = frozenset(found)
    return found


def clear_caches() -> None:
    """Forget every memoized analysis (after a change of the tables, and for measuring)."""
    analyse_token.cache_clear()
    for cache in (_SPLIT_CACHE, _INDEX_CACHE, _RAW_CACHE, _WRITTEN_CACHE):
        cache.clear()


def index_terms(text: str, lang: str) -> list[str]:
    """The terms a document of language ``lang`` is indexed (and ranked) by, in text order."""
    return analyse(text, lang)[0]


def alias_terms(text: str, lang: str) -> list[str]:
    """The cross-language aliases: found by, never ranked by (see the module's docstring)."""
    return analyse(text, lang)[1]


def word_alternatives(token: str) -> frozenset[str] | None:
    """The alternative terms of one normalized query word; None for a stop word."""
    info = analyse_token(token)
    if info.stop:
        return None
    alternatives = {info.plain}
    for term in (info.kk, info.own, info.projection):
        if term:
            alternatives.add(term)
    return frozenset(alternatives)


def query_words(q: str) -> list[str]:
    """The normalized words of a query, stop words included."""
    return tokens(q)


def query_terms(q: str) -> list[frozenset[str]]:
    """For each query word that is not a stop word, the set of its alternative terms (its kk, ru, en
    analyses); a document matches when every set has a term in it."""
    out = []
    for token in tokens(q):
        alternatives = word_alternatives(token)
        if alternatives:
            out.append(alternatives)
    return out
