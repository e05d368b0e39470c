"""Reference data as data: the ISO 3166-1 countries with kk/ru/en names and the CIS flag, sorted by
each language's alphabet; the languages of item 12; the printed questionnaire's words in kk and ru."""

from bilim.cooperation import questionnaire, reference
from bilim.cooperation.models import ActivityKind, EducationType, LanguageLevel, MaritalStatus, Reason, Relation, Sex


def test_every_iso_country_with_three_names():
    countries = reference.countries()
    codes = [c.code for c in countries]
    assert len(codes) == len(set(codes)) == 250  # the 249 of ISO 3166-1 and XX, stateless
    for country in countries:
        assert len(country.code) == 2 and country.code.isupper() and len(country.alpha3) == 3
        assert country.name_kk and country.name_ru and country.name_en, country.code
    assert reference.country("kz").name("kk") == "Қазақстан"
    assert reference.country_name("MN", "kk") == "Монғолия" and reference.country_name("MN", "ru") == "Монголия"
    assert reference.country_name("TR", "ru") == "Турция" and reference.country_name("XX", "en") == "Stateless person"
    assert not reference.is_country("ZZ") and reference.country_name("ZZ") == "ZZ"


def test_cis_flags():
    assert all(reference.is_cis(code) for code in ("RU", "KG", "UZ", "TJ", "BY", "AM", "AZ", "MD", "TM"))
    assert not any(reference.is_cis(code) for code in ("CN", "MN", "TR", "UA", "GE", "XX"))
    assert reference.country("TM").cis == "associate"


def test_choices_sorted_by_each_alphabet_and_without_kazakhstan_for_citizenship():
    kk = [name for _code, name in reference.country_choices("kk", foreign_only=True)]
    assert "Қазақстан" not in kk
    assert kk.index("Ауғанстан") < kk.index("Әзірбайжан") < kk.index("Бангладеш")  # Ә right after А, not after Я
    ru = [name for _code, name in reference.country_choices("ru")]
    assert ru.index("Япония") == len(ru) - 1 or ru[-1].startswith("Я")
    assert ("KZ", "Kazakhstan") in reference.country_choices("en")


def test_languages():
    codes = [lang.code for lang in reference.LANGUAGES]
    assert len(codes) == len(set(codes)) and {"kk", "ru", "en", "zh", "mn", "tr"} <= set(codes)
    assert reference.language_name("kk", language_code="ru") == "казахский"
    assert reference.language_name("other", "Эсперанто") == "Эсперанто"


def test_the_documents_words_cover_every_choice_in_both_languages():
    for lang in ("kk", "ru"):
        assert set(questionnaire.LABELS[lang]) == set(questionnaire.LABELS["kk"])
        values = questionnaire.VALUES[lang]
        for vocabulary, choices in (("sex", Sex), ("marital_status", MaritalStatus), ("relation", Relation),
                                    ("education_type", EducationType), ("level", LanguageLevel), ("activity", ActivityKind),
                                    ("reason", Reason)):
            assert set(values[vocabulary]) == set(choices.values), (lang, vocabulary)
        assert len(values["month"]) == 12
        assert questionnaire.consent_text(questionnaire.CONSENT_VERSION, lang)
    assert list(questionnaire.REASON_ORDER) == list(Reason.values) and list(questionnaire.RELATION_ORDER) == list(Relation.values)
