"""The words of the printed questionnaire of Appendix 1 and of the consent to processing, as data.

The Kazakh labels are the seed's (order No. 661 of 27 December 2007, Appendix 1) with its line breaks
and typing slips removed; the items the seed's table numbers 1–5 a second time after item 11 are items
12–16, as their place between 11 and 17 says. The Russian labels are our translation of the Kazakh
text: the official Russian wording of the appendix was not at hand, and an administrator should check
them against it. These are the document's fixed text in the document's language (kk or ru),
whatever the reader's interface language; the pages use gettext for the same choices.

``CONSENT`` holds the consent texts by version: the version in force is recorded with every consent
(Law No. 94-V, Art. 8), so what a foreigner agreed to can always be shown again."""

from __future__ import annotations

from datetime import date

DOCUMENT_LANGUAGES = ("kk", "ru")

LABELS: dict[str, dict[str, str]] = {
    "kk": {
        "appendix": "Білім беру ұйымдары жүзеге асыратын халықаралық ынтымақтастықты ұйымдастыру ережесіне 1-қосымша",
        "title": "Қазақстан Республикасының білім беру ұйымдарына оқуға, жұмыс істеуге немесе ғылыми зерттеулерді жүргізуге "
                 "келген шетел азаматтарының сауалнамасы",
        "attention": "КӨҢІЛ АУДАРЫҢЫЗ!!!",
        "attention_text": "Қара түсті баспасөз әріптерімен толтырылады",
        "photo": "3x4 фотосы",
        "surname": "Тегі",
        "name": "Аты",
        "patronymic": "Әкесінің аты",
        "latin": "паспорт бойынша",
        "sex": "Жынысы",
        "citizenship": "Азаматтығы (бір елдің азаматы болуы)",
        "birth_place": "Туған жері (елі, қаласы, әкімшілік аймақтық бірлігі)",
        "nationality": "Ұлты",
        "religion": "Діні",
        "memberships": "Саяси және қоғамдық ұйымдарға жататындығы",
        "address": "Тұрақты тұратын мекен жайы, байланыс телефондары",
        "marital_status": "Отбасының жағдайы",
        "relatives": "Туыстары туралы мәлімет:",
        "rel_relation": "Туыстық деңгейі",
        "rel_name": "Т.А.Ә",
        "rel_birth_year": "Туған жылы",
        "rel_occupation": "Қызмет түрі",
        "rel_address": "Тұрақты тұратын мекен-жайы",
        "rel_citizenship": "азаматтығы",
        "education": "Қазақстан Республикасына келгенге дейінгі білімі",
        "edu_number": "№",
        "edu_organization": "Білім беру ұйымының атауы",
        "edu_programme": "Оқу бағдарламасы",
        "edu_years": "Оқу жылдары",
        "edu_type": "Білім беру ұйымының типі (*)",
        "edu_document": "Білімі туралы құжат",
        "edu_footnote": "* Мемлекеттік, жеке меншік, рухани, зайырлы, әскери",
        "languages": "Тілдерді білуі, оларды игерген деңгейі (ауызша, оқуы, хат)",
        "activities": "Қазақстан Республикасына келгенге дейінгі соңғы 5 жылғы қызметі (оқу, жұмыс, әскери қызметі, "
                      "қоғамдық қызметі, басқа да қызмет түрлері)",
        "reasons": "Қазақстан Республикасына келу себебі оқу, жұмыс, ғылыми зерттеуді жүргізу",
        "reasons_tail": "таңдаған тәртібінде көрсету - 1, 2, 3 және т.б.",
        "study_purpose": "Білім беру ұйымындағы оқу мамандығы, жұмыс мақсаты, Қазақстан Республикасындағы ғылыми зерттеу тақырыбы",
        "about": "Өзі туралы, басқа мәліметтер, тілектер, ұсыныстар туралы хабарлаңыз",
        "acknowledgement": "Қазақстан Республикасында шетел азаматтарының құқықтық ахуалының мәселелеріне қатысты Қазақстан "
                           "Республикасының заңнамасымен, жатақханада тұру және өзін ұстау тәртібімен, білім беру ұйымындағы "
                           "ішкі тәртіппен, Қазақстан Республикасының Заңдарын бұзу жауапкершілігі туралы материалдармен таныстым.",
        "undertaking": "Онда көрсетілген шарттарды және талаптарды орындауға міндеттенемін.",
        "year_suffix": "ж.",
        "signature": "Қолы",
        "present": "қазіргі уақытқа дейін",
        "none": "жоқ",
        "organization": "Білім беру ұйымы",
        "printed": "Басылған күні",
    },
    "ru": {
        "appendix": "Приложение 1 к Правилам организации международного сотрудничества, осуществляемого организациями образования",
        "title": "Анкета иностранного гражданина, прибывшего на учебу, работу или проведение научных исследований "
                 "в организации образования Республики Казахстан",
        "attention": "ВНИМАНИЕ!!!",
        "attention_text": "Заполняется печатными буквами черного цвета",
        "photo": "Фото 3x4",
        "surname": "Фамилия",
        "name": "Имя",
        "patronymic": "Отчество",
        "latin": "по паспорту",
        "sex": "Пол",
        "citizenship": "Гражданство (гражданин одной страны)",
        "birth_place": "Место рождения (страна, город, административно-территориальная единица)",
        "nationality": "Национальность",
        "religion": "Вероисповедание",
        "memberships": "Принадлежность к политическим и общественным организациям",
        "address": "Адрес постоянного проживания, контактные телефоны",
        "marital_status": "Семейное положение",
        "relatives": "Сведения о родственниках:",
        "rel_relation": "Степень родства",
        "rel_name": "Ф.И.О.",
        "rel_birth_year": "Год рождения",
        "rel_occupation": "Род деятельности",
        "rel_address": "Адрес постоянного проживания",
        "rel_citizenship": "гражданство",
        "education": "Образование до прибытия в Республику Казахстан",
        "edu_number": "№",
        "edu_organization": "Наименование организации образования",
        "edu_programme": "Программа обучения",
        "edu_years": "Годы обучения",
        "edu_type": "Тип организации образования (*)",
        "edu_document": "Документ об образовании",
        "edu_footnote": "* Государственная, частная, духовная, светская, военная",
        "languages": "Знание языков, степень владения ими (устно, чтение, письмо)",
        "activities": "Деятельность за последние 5 лет до прибытия в Республику Казахстан (учеба, работа, военная служба, "
                      "общественная деятельность, другие виды деятельности)",
        "reasons": "Причина прибытия в Республику Казахстан на учебу, работу, проведение научных исследований",
        "reasons_tail": "указать в порядке выбора - 1, 2, 3 и т.д.",
        "study_purpose": "Специальность обучения в организации образования, цель работы, тема научного исследования "
                         "в Республике Казахстан",
        "about": "Сообщите о себе другие сведения, пожелания, предложения",
        "acknowledgement": "С законодательством Республики Казахстан по вопросам правового положения иностранных граждан "
                           "в Республике Казахстан, правилами проживания и поведения в общежитии, внутренним распорядком "
                           "организации образования, материалами об ответственности за нарушение законов Республики "
                           "Казахстан ознакомлен(а).",
        "undertaking": "Обязуюсь выполнять указанные в них условия и требования.",
        "year_suffix": "г.",
        "signature": "Подпись",
        "present": "по настоящее время",
        "none": "нет",
        "organization": "Организация образования",
        "printed": "Дата печати",
    },
}

# The values the document prints, by choice code (the codes are those of models.foreigners).
VALUES: dict[str, dict[str, dict[str, str]]] = {
    "kk": {
        "sex": {"M": "ер", "F": "әйел"},
        "marital_status": {"single": "бойдақ (тұрмыс құрмаған)", "married": "үйленген (тұрмыста)", "divorced": "ажырасқан",
                           "widowed": "жесір"},
        "relation": {"father": "Әкесі", "mother": "Анасы", "brother": "Ағасы, інісі", "sister": "Апасы, сіңлісі-қарындасы",
                     "spouse": "Жұбайы", "child": "Балалары", "other": "Басқа да жақын туыстары"},
        "education_type": {"state": "мемлекеттік", "private": "жеке меншік", "religious": "рухани", "secular": "зайырлы",
                           "military": "әскери"},
        "level": {"native": "ана тілі", "fluent": "еркін", "good": "жақсы", "basic": "бастапқы", "none": "білмейді"},
        "skill": {"spoken": "ауызша", "reading": "оқуы", "writing": "хат"},
        "activity": {"study": "оқу", "work": "жұмыс", "military": "әскери қызметі", "public": "қоғамдық қызметі",
                     "other": "басқа да қызмет"},
        "reason": {"sent_by_state": "жіберген мемлекет", "relatives": "туыстар кеңесі", "other_persons": "басқа да тұлғалар",
                   "low_fees": "оқуы үшін қымбат емес төлем", "quality": "білімінің жоғары деңгейі",
                   "know_country": "біздің елмен танысуы ниеті", "contract": "келісім-шарт міндеттемелері",
                   "other": "басқа да себептері"},
        "month": ["қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан", "қараша",
                  "желтоқсан"],
    },
    "ru": {
        "sex": {"M": "мужской", "F": "женский"},
        "marital_status": {"single": "холост (не замужем)", "married": "женат (замужем)", "divorced": "разведен(а)",
                           "widowed": "вдовец (вдова)"},
        "relation": {"father": "Отец", "mother": "Мать", "brother": "Братья", "sister": "Сестры", "spouse": "Супруг(а)",
                     "child": "Дети", "other": "Другие близкие родственники"},
        "education_type": {"state": "государственная", "private": "частная", "religious": "духовная", "secular": "светская",
                           "military": "военная"},
        "level": {"native": "родной", "fluent": "свободно", "good": "хорошо", "basic": "начальный", "none": "не владеет"},
        "skill": {"spoken": "устно", "reading": "чтение", "writing": "письмо"},
        "activity": {"study": "учеба", "work": "работа", "military": "военная служба", "public": "общественная деятельность",
                     "other": "другая деятельность"},
        "reason": {"sent_by_state": "направление государства", "relatives": "совет родственников", "other_persons": "других лиц",
                   "low_fees": "недорогая плата за обучение", "quality": "высокий уровень образования",
                   "know_country": "желание познакомиться с нашей страной", "contract": "обязательства по контракту",
                   "other": "другие причины"},
        "month": ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября",
                  "декабря"],
    },
}

RELATION_ORDER = ("father", "mother", "brother", "sister", "spouse", "child", "other")
REASON_ORDER = ("sent_by_state", "relatives", "other_persons", "low_fees", "quality", "know_country", "contract", "other")


def document_language(language: str | None) -> str:
    return language if language in DOCUMENT_LANGUAGES else "kk"


def label(key: str, language: str) -> str:
    return LABELS[document_language(language)][key]


def value(vocabulary: str, code: str, language: str) -> str:
    return VALUES[document_language(language)][vocabulary].get(code, code)


def form_date(day: date | None, language: str) -> tuple[str, str, str]:
    """The day, the month in words and the year for «"__" ________ ____ ж.» (blanks when no date)."""
    if day is None:
        return "", "", ""
    months = VALUES[document_language(language)]["month"]
    return f"{day.day:02d}", months[day.month - 1], str(day.year)


# --- consent to the processing of personal data (Law No. 94-V, Art. 8) ------------------------------------

CONSENT_VERSION = "2026.1"

CONSENT: dict[str, dict[str, str]] = {
    "2026.1": {
        "kk": "Мен, осы сауалнаманы толтырған шетел азаматы, «Дербес деректер және оларды қорғау туралы» 2013 жылғы 21 мамырдағы "
              "№ 94-V Қазақстан Республикасы Заңына сәйкес білім беру ұйымына менің осы сауалнамадағы дербес деректерімді, "
              "оның ішінде ұлтым, дінім, саяси және қоғамдық ұйымдарға жататындығым және туыстарым туралы мәліметтерді, "
              "менің оқуымды (жұмысымды, ғылыми зерттеуімді) ресімдеу, Қазақстан Республикасында болуымды есепке алу және "
              "білім беру саласындағы уәкілетті органға заңда белгіленген есептерді ұсыну мақсатында жинауға және өңдеуге "
              "келісім беремін. Деректер Қазақстан Республикасының аумағында сақталады; ерекше санаттағы деректерді тек "
              "ұйымның халықаралық ынтымақтастық қызметі көреді және әрбір қарау тіркеледі. Келісімді жазбаша өтінішпен "
              "кері қайтарып алуыма болатынын білемін, бұл заңда көзделген жағдайларда ғана шектеледі.",
        "ru": "Я, иностранный гражданин, заполнивший настоящую анкету, в соответствии с Законом Республики Казахстан от 21 мая "
              "2013 года № 94-V «О персональных данных и их защите» даю согласие организации образования на сбор и обработку "
              "моих персональных данных из настоящей анкеты, в том числе сведений о национальности, вероисповедании, "
              "принадлежности к политическим и общественным организациям и о родственниках, в целях оформления моей учебы "
              "(работы, научных исследований), учета моего пребывания в Республике Казахстан и представления установленной "
              "законодательством отчетности уполномоченному органу в области образования. Данные хранятся на территории "
              "Республики Казахстан; сведения особых категорий видит только служба международного сотрудничества организации, "
              "и каждый их просмотр регистрируется. Мне известно, что согласие может быть отозвано письменным заявлением, "
              "кроме случаев, предусмотренных законом.",
        "en": "I, the foreign citizen who filled in this questionnaire, in accordance with Law of the Republic of Kazakhstan "
              "No. 94-V of 21 May 2013 «On personal data and their protection», consent to the education organization "
              "collecting and processing my personal data from this questionnaire, including my nationality, religion, "
              "membership of political and public organizations and information on my relatives, for arranging my study "
              "(work, research), recording my stay in the Republic of Kazakhstan and submitting the reports required by law "
              "to the authorized body in education. The data are stored in the territory of the Republic of Kazakhstan; the "
              "special categories are seen only by the organization's international cooperation service and every viewing "
              "is recorded. I know that I may withdraw this consent by a written application, except where the law provides "
              "otherwise.",
    },
}


def consent_text(version: str, language: str | None) -> str:
    texts = CONSENT.get(version) or {}
    return texts.get((language or "kk")[:2]) or texts.get("kk", "")
