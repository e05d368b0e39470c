"""Translations: the kk and ru catalogues are complete, up to date with the source, compiled, and keep
every placeholder; pages and the API answer in the chosen language.

Needs GNU gettext (msgfmt, xgettext, msgmerge) like ``makemessages`` itself: a skip on a laptop
without it, a failure in CI."""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

REPO = Path(settings.BASE_DIR)
LOCALE = REPO / "bilim" / "locale"
TRANSLATED = ["kk", "ru"]  # en is the source language: its msgstr may stay empty
ALL = ["kk", "ru", "en"]
# The flags of the documented command: manage.py makemessages -l kk -l ru -l en --no-location -i … .
MAKEMESSAGES_IGNORES = [".venv", "var", "test-artifacts", "bilim/staticfiles"]

KAZAKH_LETTERS = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


# --- a small PO reader: enough for what makemessages writes --------------------------------------

@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    line: int = 0

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def untranslated(self) -> bool:
        return not self.msgstr or any(s == "" for s in self.msgstr)

    def __str__(self) -> str:
        ctx = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"line {self.line}: {ctx}{self.msgid!r}"


def read_po(path: Path) -> list[Entry]:
    """The live entries of a .po file (obsolete ``#~`` ones skipped), header included (msgid "")."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None

    def finish():
        nonlocal current, target
        if current is not None and (current.msgid or current.msgstr):
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if current is None:
            current = Entry(line=number)
        if line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        if match:
            keyword, index, text = match.group(1), match.group(2), ast.literal_eval(match.group(3))
            if keyword == "msgid":
                current.msgid, current.line = text, number
                target = ("msgid", None)
            elif keyword == "msgid_plural":
                current.msgid_plural = text
                target = ("msgid_plural", None)
            elif keyword == "msgctxt":
                current.msgctxt = text
                target = ("msgctxt", None)
            else:
                position = int(index) if index is not None else 0
                while len(current.msgstr) <= position:
                    current.msgstr.append("")
                current.msgstr[position] = text
                target = ("msgstr", position)
        elif line.startswith('"') and target is not None:
            text = ast.literal_eval(line)
            kind, position = target
            if kind == "msgstr":
                current.msgstr[position] += text
            else:
                setattr(current, kind, getattr(current, kind) + text)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    finish()
    return entries


def messages(path: Path) -> list[Entry]:
    return [entry for entry in read_po(path) if entry.msgid != ""]


def po_path(lang: str, root: Path = LOCALE) -> Path:
    return root / lang / "LC_MESSAGES" / "django.po"


def problems(path: Path) -> list[str]:
    bad = []
    for entry in messages(path):
        if entry.fuzzy:
            bad.append(f"fuzzy        {entry}")
        elif entry.untranslated:
            bad.append(f"untranslated {entry}")
    return bad


# --- fixtures --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def gettext_tools():
    missing = [tool for tool in ("msgfmt", "xgettext", "msgmerge", "msguniq") if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"GNU gettext is missing ({', '.join(missing)}): CI must install gettext")
        pytest.skip(f"GNU gettext is not installed ({', '.join(missing)}): apt-get install gettext")


def msgfmt_statistics(path: Path) -> tuple[dict[str, int], str]:
    result = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, str(path)],
                            capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"})
    assert result.returncode == 0, f"msgfmt --check failed on {path}:\n{result.stderr}"
    counts = {kind: 0 for kind in ("translated", "fuzzy", "untranslated")}
    for number, kind in re.findall(r"(\d+) (translated|fuzzy|untranslated)", result.stderr):
        counts[kind] = int(number)
    return counts, result.stderr.strip()


# --- a) the committed catalogues are complete ------------------------------------------------------

@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_is_fully_translated(gettext_tools, lang):
    path = po_path(lang)
    counts, report = msgfmt_statistics(path)
    bad = problems(path)
    assert counts["fuzzy"] == 0 and counts["untranslated"] == 0 and not bad, (
        f"{path.relative_to(REPO)}: {report}\n" + "\n".join(bad)
    )
    assert counts["translated"] == len(messages(path)) > 0


@pytest.mark.parametrize("lang", ALL)
def test_catalogue_header(lang):
    header = next(entry for entry in read_po(po_path(lang)) if entry.msgid == "")
    assert not header.fuzzy, "remove '#, fuzzy' from the header or gettext ignores it"
    text = header.msgstr[0]
    assert f"Language: {lang}\n" in text
    assert "Content-Type: text/plain; charset=UTF-8\n" in text
    expected = {
        "kk": "nplurals=2; plural=(n != 1);",
        "en": "nplurals=2; plural=(n != 1);",
        # Django's own Russian rule: the fourth form is for fractions.
        "ru": "nplurals=4; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 || n%100>14) ? 1 : "
              "n%10==0 || (n%10>=5 && n%10<=9) || (n%100>=11 && n%100<=14)? 2 : 3);",
    }[lang]
    assert f"Plural-Forms: {expected}\n" in text


# --- b) the catalogues are up to date with the source ---------------------------------------------

@pytest.fixture(scope="module")
def fresh_catalogues(gettext_tools, tmp_path_factory):
    """``makemessages`` run on a copy of the source tree: what the catalogues would become now."""
    work = tmp_path_factory.mktemp("makemessages")
    shutil.copytree(REPO / "bilim", work / "bilim",
                    ignore=shutil.ignore_patterns("static", "staticfiles", "__pycache__", "*.pyc", "*.mo"))
    shutil.copy2(REPO / "manage.py", work / "manage.py")
    before = {lang: po_path(lang).read_bytes() for lang in ALL}
    command = [sys.executable, "manage.py", "makemessages", "-l", "kk", "-l", "ru", "--no-location"]
    for pattern in MAKEMESSAGES_IGNORES:
        command += ["-i", pattern]
    env = {**os.environ, "PYTHONPATH": str(work), "BILIM_VAR_DIR": str(work / "var"),
           "BILIM_DATABASE_URL": f"sqlite:///{work / 'var' / 'unused.sqlite3'}", "DJANGO_SETTINGS_MODULE": "bilim.config.settings"}
    result = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    # It worked on the copy, never on the committed files.
    assert {lang: po_path(lang).read_bytes() for lang in ALL} == before
    return work / "bilim" / "locale"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_is_up_to_date_with_the_source(fresh_catalogues, lang):
    path = po_path(lang, fresh_catalogues)
    bad = problems(path)
    assert not bad, (
        f"Strings in the source are missing from or changed since bilim/locale/{lang}/LC_MESSAGES/django.po.\n"
        "Run: .venv/bin/python manage.py makemessages -l kk -l ru -l en --no-location -i .venv -i var "
        "-i test-artifacts -i bilim/staticfiles\nthen translate these and run compilemessages:\n" + "\n".join(bad)
    )
    committed = {(e.msgctxt, e.msgid) for e in messages(po_path(lang))}
    fresh = {(e.msgctxt, e.msgid) for e in messages(path)}
    assert fresh <= committed  # nothing new slipped through as "translated" some other way


# --- c) the committed .mo files are compiled from the committed .po -------------------------------

def load_mo(path: Path) -> dict:
    with path.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


@pytest.mark.parametrize("lang", ALL)
def test_mo_is_in_sync_with_po(gettext_tools, tmp_path, lang):
    committed = po_path(lang).with_suffix(".mo")
    assert committed.exists(), f"{committed.relative_to(REPO)} is missing: run manage.py compilemessages -i .venv"
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(po_path(lang))], check=True)
    expected, actual = load_mo(fresh), load_mo(committed)
    stale = sorted(str(key) for key in expected.keys() ^ actual.keys())
    changed = sorted(str(key) for key in expected.keys() & actual.keys() if expected[key] != actual[key])
    assert not stale and not changed, (
        f"{committed.relative_to(REPO)} is stale: run manage.py compilemessages -i .venv\n"
        f"missing or extra: {stale[:20]}\ndifferent: {changed[:20]}"
    )


# --- d) translations keep every placeholder and tag -----------------------------------------------

PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{\w*(?:[.:!][^{}]*)?\}")
TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("%%", "")))


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_placeholders(lang):
    path = po_path(lang)
    bad = []
    for entry in messages(path):
        source = entry.msgid + (entry.msgid_plural or "")
        wanted, tags = placeholders(source), sorted(TAG.findall(entry.msgid))
        for index, text in enumerate(entry.msgstr):
            if not text:
                continue
            form = f"[{index}]" if entry.msgid_plural is not None else ""
            if placeholders(text) != wanted:
                bad.append(f"{entry} msgstr{form}: placeholders {sorted(placeholders(text))} != {sorted(wanted)}")
            if sorted(TAG.findall(text)) != tags:
                bad.append(f"{entry} msgstr{form}: tags {sorted(TAG.findall(text))} != {tags}")
    assert not bad, f"{path.relative_to(REPO)}:\n" + "\n".join(bad)


def test_russian_plural_forms_follow_the_numbers():
    """1 and 21 take one form, 2–4 and 22 another, 5–20, 25 and 111 a third (the noun is the last word)."""
    with translation.override("ru"):
        noun = {n: translation.ngettext("%(counter)s unit found", "%(counter)s units found", n).split()[-1]
                for n in (1, 3, 5, 11, 21, 22, 25, 111)}
    assert len({noun[1], noun[3], noun[5]}) == 3, noun
    assert noun[21] == noun[1] and noun[22] == noun[3], noun
    assert noun[11] == noun[5] == noun[25] == noun[111], noun


# --- e) pages and the API speak the chosen language ----------------------------------------------

def main_text(html: str) -> str:
    """What the page says: the <main> element without tags (the language switch lists every language's
    own name, so it is left out)."""
    match = re.search(r"<main\b.*?</main>", html, re.S)
    assert match, "the page has no <main>"
    return re.sub(r"<[^>]+>", " ", match.group(0))


def translated(lang: str, msgid: str) -> str:
    with translation.override(lang):
        return translation.gettext(msgid)


@pytest.mark.parametrize("lang", ALL)
def test_landing_page_speaks_its_language(db, client, lang):
    response = client.get(f"/{lang}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    text = main_text(html)
    title = translated(lang, "Unified education information system")
    assert title in html
    if lang == "kk":
        assert len(KAZAKH_LETTERS.findall(text)) >= 10, text
        assert title != "Unified education information system"
    elif lang == "ru":
        assert len(CYRILLIC.findall(text)) >= 100 and not KAZAKH_LETTERS.search(text), text
        assert title == "Единая информационная система образования"
    else:
        assert not CYRILLIC.search(text), text
        assert title == "Unified education information system"
    assert len({translated(code, "Log in") for code in ALL}) == 3


def test_login_page_in_kazakh(db, client):
    html = client.get("/kk/accounts/login/").content.decode()
    assert '<html lang="kk">' in html
    for msgid in ("Log in", "User name", "Password"):
        assert translated("kk", msgid) in html and translated("kk", msgid) != msgid


def test_switching_language_keeps_the_page(db, client):
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/kk/accounts/login/"})
    assert response.status_code == 302
    assert response.url == "/ru/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    html = client.get(response.url).content.decode()
    assert '<html lang="ru">' in html and translated("ru", "User name") in html


@pytest.mark.parametrize("language, next_url, accept, expected", [
    ("kk", "/ru/accounts/login/", "ru", "/kk/accounts/login/"),
    ("en", "/ru/", "kk-KZ,kk;q=0.9", "/en/"),
    ("kk", "/en/accounts/login/?next=/en/org/", "en", "/kk/accounts/login/?next=/en/org/"),
])
def test_switching_language_whatever_the_browser_asks_for(db, client, language, next_url, accept, expected):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url}, HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302 and response.url == expected


def test_switching_to_an_unknown_language_changes_nothing(db, client):
    response = client.post("/i18n/setlang/", {"language": "de", "next": "/kk/accounts/login/"})
    assert response.status_code == 302 and response.url == "/kk/accounts/login/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_api_errors_follow_accept_language(db, client):
    answers = {}
    for header, lang in [("kk", "kk"), ("ru", "ru"), ("en", "en"), ("kk-KZ,kk;q=0.9,ru;q=0.8", "kk"),
                         ("ru-RU,ru;q=0.9,en;q=0.8", "ru"), ("de-DE,de;q=0.9", "kk")]:
        response = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE=header)
        assert response.status_code == 401
        body = response.json()
        assert body["code"] == "unauthorized"
        assert body["message"] == translated(lang, "Log in or send a valid API token."), header
        answers.setdefault(lang, set()).add(body["message"])
    assert all(len(seen) == 1 for seen in answers.values())
    kk, ru, en = (answers[lang].pop() for lang in ALL)
    assert len({kk, ru, en}) == 3
    assert KAZAKH_LETTERS.search(kk) and CYRILLIC.search(ru) and not KAZAKH_LETTERS.search(ru)
    assert en == "Log in or send a valid API token."


def test_api_validation_errors_follow_accept_language(demo, client):
    client.force_login(demo.user("district.esil"))
    bodies = {lang: client.get("/api/v1/calendar/deadline?date=2025-13-01", HTTP_ACCEPT_LANGUAGE=lang).json() for lang in ALL}
    for lang, body in bodies.items():
        assert body["code"] == "validation_error"
        assert body["message"] == translated(lang, "The request has errors.")
    assert len({body["errors"][0]["message"] for body in bodies.values()}) == 3
