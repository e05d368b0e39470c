"""The printable questionnaire of Appendix 1 (PDF): in kk and in ru, the document's own words whatever
the reader's language, set in DejaVu Sans; the photo in its box, the items 1–17 in order, the ranks
of item 14 in their brackets, the date of item 17 in words. The PDFs go to test-artifacts/."""

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from pypdf import PdfReader

from bilim.conftest import ARTIFACTS
from bilim.cooperation import documents, services

from .conftest import png, questionnaire


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def test_questionnaire_pdf_in_both_languages(coop):
    f = services.foreigner_register(org_unit=coop.enu, data=questionnaire(), by=coop.officer,
                                    photo=SimpleUploadedFile("p.png", png(), content_type="image/png"))
    ARTIFACTS.mkdir(exist_ok=True)
    with translation.override("en"):  # the reader's language does not change the document's
        kk = documents.questionnaire_pdf(f, "kk")
        ru = documents.questionnaire_pdf(f, "ru")
    (ARTIFACTS / "cooperation-questionnaire-kk.pdf").write_bytes(kk)
    (ARTIFACTS / "cooperation-questionnaire-ru.pdf").write_bytes(ru)
    kk_text, ru_text = text_of(kk), text_of(ru)
    # items in the order of Appendix 1
    order = ["Тегі", "Жынысы", "Азаматтығы", "Туған жері", "Ұлты", "Діні", "Саяси және қоғамдық", "Тұрақты тұратын мекен жайы",
             "Отбасының жағдайы", "10. Туыстары", "11. Қазақстан Республикасына келгенге дейінгі білімі", "Тілдерді білуі",
             "соңғы 5 жылғы", "келу себебі", "оқу мамандығы", "Өзі туралы", "17. Қазақстан Республикасында шетел азаматтарының"]
    positions = [kk_text.find(word) for word in order]
    assert -1 not in positions and positions == sorted(positions), list(zip(order, positions))
    assert "3x4 фотосы" not in kk_text  # the photo is in its box, not the placeholder
    assert "Монғолия" in kk_text and "Монголия" in ru_text and "ер" in kk_text and "мужской" in ru_text
    assert re.search(r"білімінің жоғары деңгейі \( ?1 ?\)", kk_text) and re.search(r"туыстар кеңесі \( ?2 ?\)", kk_text)
    assert re.search(r"басқа да себептері \( ?3 ?\)", kk_text) and "тарихи отан" in kk_text
    assert re.search(r"высокий уровень образования \( ?1 ?\)", ru_text)
    day = f.acknowledged_on
    months_kk = ["қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан"]
    assert months_kk[day.month - 1] in kk_text and "Қолы" in kk_text and "Подпись" in ru_text
    assert "Тарих" in kk_text and "аттестат № 123" in ru_text
