"""A fixed multilingual corpus for the engine's tests: library-like records in Kazakh (Cyrillic and
Latin), Russian and English. Changing it changes the committed expected rankings in test_engine."""

from __future__ import annotations

NAMESPACE = "testlib"


def doc(key, lang, title, *, creators="", subjects="", description="", text="", type="textbook", year="2020", extra=None):
    facets = {"type": [type], "language": [lang], "year": [year], "subject": [s.strip() for s in subjects.split(";") if s.strip()]}
    facets.update(extra or {})
    return {
        "namespace": NAMESPACE,
        "key": key,
        "lang": lang,
        "fields": {"title": title, "creators": creators, "subjects": subjects, "description": description, "text": text},
        "facets": facets,
        "snippet_source": text or description or title,
    }


DOCUMENTS = [
    doc("d01", "kk", "Қазақстан тарихы: 9-сынып оқулығы", creators="Қабылдинов З.; Аяған Б.", subjects="Тарих; Қазақстан",
        description="Жалпы білім беретін мектептің 9-сыныбына арналған оқулық. Қазақстан тарихының негізгі кезеңдері.", year="2019"),
    doc("d02", "kk", "Қазақстан тарихы оқулықтарының әдістемесі", creators="Бекмаханова Н.", subjects="Тарих; Әдістеме",
        description="Мұғалімдерге арналған құрал: оқулықтармен жұмыс істеу әдістері.", type="manual", year="2021"),
    doc("d03", "kk", "Алгебра: 7-сынып", creators="Әбілқасымова А.", subjects="Математика",
        description="Алгебра оқулығы. Математика пәнінен жаттығулар мен есептер.", year="2017"),
    doc("d04", "kk", "Математика әдістемесі бастауыш мектепте", creators="Оразбаева Қ.", subjects="Математика; Әдістеме",
        description="Бастауыш сынып мұғалімдеріне арналған әдістемелік құрал.", type="manual", year="2018",
        text="Математика сабағында оқушылардың логикалық ойлауын дамыту. Есептер шығару әдістері. Бастауыш мектепте "
             "математиканы оқытудың негізгі қағидалары және сабақ жоспарлары. Математика пәні бойынша тапсырмалар."),
    doc("d05", "kk", "Abai Qunanbaiuly: ómiri men shyǵarmashylyǵy", creators="Mýhtar Áýezov", subjects="Ádebıet",
        description="Abaıdyń ómiri jáne shyǵarmalary týraly monografıa. Qazaqstan ádebıetiniń tarıhy.", type="monograph", year="2015"),
    doc("d06", "kk", "Qazaqstan tarihy: oqulyq", creators="Qabyldinov Z.", subjects="Tarih",
        description="Jalpy bilim beretin mektepterge arnalğan oqulyq (latyn älipbiinde).", year="2023"),
    doc("d07", "kk", "Абайдың қара сөздері", creators="Абай Құнанбайұлы", subjects="Әдебиет",
        description="Абай шығармаларының жинағы. Қара сөздер мен өлеңдер.", type="monograph", year="2010",
        text="Адамның бір қызығы бала жасында. Абайдың қара сөздері қазақ әдебиетінің інжу-маржаны. "
             "Ғылым таппай мақтанба. Біліммен ғана адам болады."),
    doc("d08", "kk", "Алматыдағы жоғары оқу орындарының тарихы", creators="Нұрмағамбетов А.", subjects="Тарих; Білім беру",
        description="Алматы қаласындағы университеттер мен институттардың тарихы.", type="monograph", year="2016"),
    doc("d09", "kk", "Физика: 10-сынып оқулығы", creators="Тоқбергенова У.", subjects="Физика",
        description="Физика оқулығы жалпы білім беретін мектептерге арналған.", year="2019"),
    doc("d10", "kk", "Білім беру жүйесін басқару", creators="Құсайынов А.", subjects="Білім беру; Педагогика",
        description="Қазақстандағы білім беру жүйесі және оны басқару мәселелері.", type="monograph", year="2021"),
    doc("d11", "kk", "Информатика: 8-сынып", creators="Қадырқұлов Р.", subjects="Информатика",
        description="Информатика пәнінен оқулық. Бағдарламалау негіздері, Python тілі.", year="2020"),
    doc("d12", "kk", "Мектептегі тәрбие жұмысы", creators="Жарықбаев Қ.", subjects="Педагогика",
        description="Мектептердегі тәрбие жұмысын ұйымдастыру бойынша әдістемелік нұсқаулық.", type="manual", year="2014"),
    doc("r01", "ru", "История Казахстана: учебник для 9 класса", creators="Кабульдинов З.", subjects="История; Казахстан",
        description="Учебник по истории Казахстана для общеобразовательной школы.", year="2019"),
    doc("r02", "ru", "Методика преподавания истории в школе", creators="Вяземский Е.", subjects="История; Методика",
        description="Пособие для учителей истории: работа с учебниками и источниками.", type="manual", year="2018"),
    doc("r03", "ru", "Математика: учебник для 5 класса", creators="Виленкин Н.", subjects="Математика",
        description="Учебник математики для общеобразовательных школ.", year="2020",
        text="Натуральные числа и шкалы. Сложение и вычитание натуральных чисел. Умножение и деление. "
             "Математика учит рассуждать. Задачи на движение."),
    doc("r04", "ru", "Высшие учебные заведения Алматы", creators="Нурмагамбетов А.", subjects="История; Образование",
        description="Очерки истории университетов и институтов города Алматы.", type="monograph", year="2016"),
    doc("r05", "ru", "Абай Кунанбаев: жизнь и творчество", creators="Ауэзов М.", subjects="Литература",
        description="Монография о жизни и творчестве Абая.", type="monograph", year="2012"),
    doc("r06", "ru", "Физика: учебник для 10 класса", creators="Мякишев Г.", subjects="Физика",
        description="Учебник физики для старших классов школы.", year="2021"),
    doc("r07", "ru", "Управление системой образования", creators="Третьяков П.", subjects="Образование; Педагогика",
        description="Проблемы управления школой и системой образования в Казахстане.", type="monograph", year="2017"),
    doc("r08", "ru", "Информатика и программирование", creators="Семакин И.", subjects="Информатика",
        description="Основы программирования на языке Python для школьников.", year="2022"),
    doc("e01", "en", "History of Kazakhstan: a textbook", creators="Abenov K.", subjects="History; Kazakhstan",
        description="A textbook of the history of Kazakhstan for international students.", year="2020"),
    doc("e02", "en", "Teaching history with textbooks", creators="Smith J.", subjects="History; Pedagogy",
        description="Methods of teaching history in secondary schools; working with textbooks.", type="manual", year="2018"),
    doc("e03", "en", "Physics for secondary schools", creators="Brown T.", subjects="Physics",
        description="A physics textbook covering mechanics and electricity.", year="2016",
        text="Mechanics studies motion. Newton's laws of motion. Energy and work. Electricity and magnetism. "
             "Physics experiments for schools."),
    doc("e04", "en", "Abai: the poet of the steppe", creators="Kudaibergenova D.", subjects="Literature",
        description="A study of Abai Qunanbaiuly's poetry and his Book of Words, with translations.", type="monograph", year="2019"),
    doc("e05", "en", "Higher education in Almaty", creators="Nurmagambetov A.", subjects="Education; History",
        description="Universities and institutes of Almaty: a history of higher education in Kazakhstan.", type="article", year="2021"),
    doc("e06", "en", "Managing school education systems", creators="Fullan M.", subjects="Education; Pedagogy",
        description="Leadership and management of education systems and schools.", type="monograph", year="2015"),
    doc("e07", "en", "Mathematics textbook, grade 5", creators="Lee S.", subjects="Mathematics",
        description="Mathematics for primary schools: numbers, fractions and problems.", year="2022"),
    doc("x01", "tr", "Kazak edebiyatı tarihi", creators="Kemal A.", subjects="Edebiyat",
        description="Abay ve Kazak edebiyatı üzerine bir inceleme.", type="article", year="2014"),
]

# In another namespace: never found by the tests' searches, but counted in the statistics (the
# ranking statistics are the whole index's, as FTS5's are).
OTHER = {**doc("p01", "kk", "Қазақстан тарихы сабағының жоспары", subjects="Тарих", description="Сабақ жоспары."),
         "namespace": "portal"}
