"""The journal in a real headless Chromium against the live server: (a) the teacher logs in, opens
the class's grid, adds a lesson, types marks and attendance with the keyboard only (a Russian letter
becomes the Kazakh one, a wrong mark is refused in Kazakh next to its cell and nothing is saved),
saves the column in one request, reloads and sees everything, with the term grades computed;
(b) the parent logs in on a phone-sized page and sees the new marks highlighted and the term grade
with how it was computed. Screenshots of every page go to test-artifacts/."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from bilim.conftest import screenshot
from bilim.journal import services
from bilim.journal.models import Attendance, Lesson, Mark

from .conftest import TERM_DAY

pytestmark = pytest.mark.browser


def kk(message: str) -> str:
    with translation.override("kk"):
        return gettext(message)


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/kk/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1#home-title")).to_be_visible()


def focused(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_teacher_types_a_lesson_with_the_keyboard_and_saves_it(live_server, journal, page, browser):
    base = live_server.url
    cs, (p0, p1, p2) = journal.cs, journal.pupils
    # an earlier lesson with a summative work, so that the grid has two columns and term grades
    services.lesson_save(class_subject=cs, day=date(2025, 10, 1), topic="Бөлшектер", by=journal.teacher,
                         marks=[{"pupil": p.pk, "kind": "section_summative", "value": v, "max_points": 20} for p, v in ((p0, 18), (p1, 12), (p2, 15))])

    log_in(page, base, "teacher", journal.password)
    link = page.locator(f"#journal-classes a[data-class-subject='{cs.pk}']")
    expect(link).to_be_visible()
    screenshot(page, "journal-home-teacher")
    link.click()
    expect(page.locator("#grid-title")).to_contain_text("Математика")
    page.locator("#terms a[data-term='1']").click()
    expect(page.locator("#terms a.active")).to_have_attribute("data-term", "1")

    # add a lesson: date, number, topic
    page.locator("#add-lesson-toggle").click()
    page.fill("#id_date", TERM_DAY.isoformat())
    page.fill("#id_number", "1")
    page.fill("#id_topic", "Ондық бөлшектер")
    page.locator("#add-lesson").click()
    expect(page.locator(f"th.jr-lesson[data-date='{TERM_DAY.isoformat()}']")).to_be_visible()
    lesson = Lesson.objects.get(class_subject=cs, date=TERM_DAY, number=1)
    header = page.locator(f"#lesson-{lesson.pk}")
    expect(header).to_have_attribute("title", "Ондық бөлшектер")
    expect(page.locator("#journal")).to_have_attribute("data-ready", "1")
    column = header.get_attribute("data-col")

    # keyboard only: 8 ↵, Russian «н» (absent) ↵, 11 (a wrong mark) ↵, then Ctrl+S
    page.locator(f"#cell-{p0.pk}-{column}").click()
    page.keyboard.type("8")
    page.keyboard.press("Enter")
    assert focused(page) == f"cell-{p1.pk}-{column}"
    page.keyboard.type("н")
    expect(page.locator(f"#cell-{p1.pk}-{column}")).to_have_value("Ж")  # shown with the Kazakh letter
    page.keyboard.press("Enter")
    page.keyboard.type("11")
    page.keyboard.press("Control+s")
    error = page.locator(f"#err-cell-{p2.pk}-{column}")
    expect(error).to_have_text(kk("A formative mark is a whole number from %(low)s to %(high)s.") % {"low": 1, "high": 10})
    expect(page.locator("#save-status")).to_have_attribute("data-state", "error")
    assert not Mark.objects.filter(lesson=lesson).exists() and not Attendance.objects.filter(lesson=lesson).exists()
    screenshot(page, "journal-grid-error")

    # correct it: Delete clears, then 10 and the late letter; arrows move
    page.keyboard.press("Delete")
    expect(page.locator(f"#cell-{p2.pk}-{column}")).to_have_value("")
    page.keyboard.type("10")
    page.keyboard.type("О")  # Russian «опоздал» → Kazakh К
    expect(page.locator(f"#cell-{p2.pk}-{column}")).to_have_value("10К")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert focused(page) == f"cell-{p0.pk}-{column}"
    page.keyboard.press("ArrowLeft")  # to the summative column: leaving the column saves it
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")
    expect(page.locator(f"#err-cell-{p2.pk}-{column}")).to_have_count(0)
    marks = {m.pupil_id: int(m.value) for m in Mark.objects.filter(lesson=lesson)}
    assert marks == {p0.pk: 8, p2.pk: 10}
    assert dict(Attendance.objects.filter(lesson=lesson).values_list("pupil_id", "status")) == {p1.pk: "absent", p2.pk: "late"}
    grade = page.locator(f"td[data-grade-for='{p0.pk}'] .jr-grade-btn")
    # ФО 8/10 = 80 %, СОр 18/20 = 90 %, no СОч: 50/50 → 85 % → 5
    expect(grade).to_have_text("5")

    page.reload()
    expect(page.locator("#journal")).to_have_attribute("data-ready", "1")
    expect(page.locator(f"#cell-{p0.pk}-{column}")).to_have_value("8")
    expect(page.locator(f"#cell-{p1.pk}-{column}")).to_have_value("Ж")
    expect(page.locator(f"#cell-{p2.pk}-{column}")).to_have_value("10К")
    expect(page.locator(f"td[data-grade-for='{p0.pk}'] .jr-grade-btn")).to_have_text("5")
    page.locator(f"#cell-{p0.pk}-{column}").click()
    page.keyboard.type("3")
    page.keyboard.press("Escape")  # Esc puts back what was saved
    expect(page.locator(f"#cell-{p0.pk}-{column}")).to_have_value("8")
    page.keyboard.press("Tab")
    assert focused(page) == f"cell-{p1.pk}-0"  # Tab after the last lesson goes on to the next pupil
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")
    page.locator(f"td[data-grade-for='{p0.pk}'] .jr-grade-btn").hover()
    expect(page.locator(".jr-popover.show")).to_contain_text("85")
    page.wait_for_timeout(300)  # the popover's fade
    screenshot(page, "journal-grid")

    # the head reads the same grid, without inputs
    head_ctx = browser.new_context(locale="kk-KZ", viewport={"width": 1280, "height": 900})
    head = head_ctx.new_page()
    head.set_default_timeout(15000)
    log_in(head, base, "head.school", journal.password)
    head.locator("#journal-school a.journal-school-link").first.click()
    expect(head.locator("#school-title")).to_be_visible()
    screenshot(head, "journal-school")
    head.locator(f"#school-classes a[data-class-subject='{cs.pk}']").click()
    head.locator("#terms a[data-term='1']").click()
    expect(head.locator("#read-only")).to_be_visible()
    expect(head.locator("#journal .jr-input")).to_have_count(0)
    expect(head.locator(f"#journal tr[data-pupil='{p2.pk}']")).to_contain_text("10К")
    screenshot(head, "journal-grid-head")
    head_ctx.close()


def test_parent_sees_new_marks_and_the_term_grade_on_a_phone(live_server, parent_link, phone_page):
    base = live_server.url
    j = parent_link
    cs, child = j.cs, j.pupils[0]
    for day, value in ((date(2025, 9, 10), 7), (date(2025, 9, 17), 9), (date(2025, 10, 8), 10)):
        services.lesson_save(class_subject=cs, day=day, by=j.teacher, marks=[{"pupil": child.pk, "kind": "formative", "value": value}])
    services.lesson_save(class_subject=cs, day=date(2025, 10, 1), by=j.teacher, attendance={child.pk: "sick"},
                         marks=[{"pupil": j.pupils[1].pk, "kind": "section_summative", "value": 10, "max_points": 20}])
    services.lesson_save(class_subject=cs, day=date(2025, 10, 15), by=j.teacher,
                         marks=[{"pupil": child.pk, "kind": "section_summative", "value": 17, "max_points": 20}])

    page = phone_page
    log_in(page, base, "parent", j.password)
    link = page.locator(f"#journal-children a[data-pupil='{child.pk}']")
    expect(link).to_be_visible()
    screenshot(page, "journal-home-parent-phone")
    link.click()
    expect(page.locator("#child-name")).to_contain_text(child.last_name)
    page.locator("#terms a[data-term='1']").click()
    expect(page.locator("#terms a.active")).to_have_attribute("data-term", "1")
    card = page.locator(f".subject-card[data-class-subject='{cs.pk}']")
    # everything was written after the previous visit (a day ago): four marks and a sick day are new
    expect(card.locator(".mark-chip.is-new")).to_have_count(4)
    expect(page.locator("#new-since")).to_have_attribute("data-count", "5")
    expect(card.locator(".new-attendance")).to_have_count(1)
    # ФО (7 + 9 + 10) / 30 = 86.67 %, СОр 17/20 = 85 %, no СОч: 50/50 → 85.8 % → 5
    expect(card.locator(".term-grade .grade-value")).to_have_text("5")
    card.locator(".term-explain summary").click()
    expect(card.locator(".term-explain")).to_contain_text("85,8")
    expect(card.locator(".year-grade .grade-value")).to_have_text("5")  # 2025-2026 has ended: the year grade is there
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "journal-child-phone")
    page.goto(f"{base}/kk/journal/children/")
    expect(page.locator(f"#children a[data-pupil='{child.pk}']")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "journal-children-phone")


def test_demo_journal_pages_on_desktop_and_phone(live_server, demo, browser):
    """The demo's journal (a full class, the lessons of the terms so far): the teacher's grid of the
    current term with today's lesson typed in, on a desktop and on a phone; the head confirms the
    parent's pending link request; the parent's child page."""
    from django.core.management import call_command
    from django.utils import timezone

    from bilim.journal.models import ClassSubject, ParentLink

    call_command("seed_demo", "--quiet")
    base = live_server.url
    today = timezone.localdate()
    cs = (ClassSubject.objects.filter(teacher__username="teacher", school_class__year__starts__lte=today, school_class__grade__gt=1)
          .order_by("-school_class__year__starts", "school_class__grade", "pk").first())
    context = browser.new_context(locale="kk-KZ", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, base, "teacher", demo.password)
    page.goto(f"{base}/kk/journal/class-subjects/{cs.pk}/")
    expect(page.locator("#journal")).to_have_attribute("data-ready", "1")
    if page.locator(f"th.jr-lesson[data-date='{today.isoformat()}']").count() == 0 and page.locator("#lesson-form").count():
        page.locator("#add-lesson-toggle").click()
        page.fill("#id_date", today.isoformat())
        page.fill("#id_number", "1")
        page.locator("#add-lesson").click()
    header = page.locator(f"th.jr-lesson[data-date='{today.isoformat()}']").first
    if header.count():
        column = header.get_attribute("data-col")
        page.locator(f"#journal tbody tr:first-child td.jr-cell[data-col='{column}'] input").click()
        for text in ("9", "ж", "7", "", "10"):
            page.keyboard.type(text)
            page.keyboard.press("Enter")
        page.keyboard.press("Control+s")
        expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")
    page.evaluate("document.querySelector('.jr-wrap').scrollLeft = 10000")
    screenshot(page, "journal-demo-grid")
    context.close()

    phone_ctx = browser.new_context(locale="kk-KZ", viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True,
                                    device_scale_factor=2)
    phone = phone_ctx.new_page()
    phone.set_default_timeout(15000)
    log_in(phone, base, "teacher", demo.password)
    phone.goto(f"{base}/kk/journal/class-subjects/{cs.pk}/")
    expect(phone.locator("#journal")).to_have_attribute("data-ready", "1")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # only the grid scrolls sideways
    screenshot(phone, "journal-demo-grid-phone")
    phone_ctx.close()

    pending = ParentLink.objects.filter(parent__username="parent", confirmed_at__isnull=True).first()
    head_ctx = browser.new_context(locale="kk-KZ", viewport={"width": 1280, "height": 900})
    head = head_ctx.new_page()
    head.set_default_timeout(15000)
    log_in(head, base, "head.school", demo.password)
    expect(head.locator("#journal-pending-links #pending-links-count")).to_have_attribute("data-count", "1")  # loaded by htmx
    screenshot(head, "journal-home-head")
    head.locator("#journal-pending-links").click()
    row = head.locator(f"#pending-links tr[data-link='{pending.pk}']")
    expect(row).to_be_visible()
    screenshot(head, "journal-links")
    row.locator(".confirm-link").click()
    expect(head.locator(f"#pending-links tr[data-link='{pending.pk}']")).to_have_count(0)
    assert ParentLink.objects.get(pk=pending.pk).confirmed
    head_ctx.close()

    parent_ctx = browser.new_context(locale="ru-RU", viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True,
                                     device_scale_factor=2)
    parent = parent_ctx.new_page()
    parent.set_default_timeout(15000)
    parent.goto(f"{base}/ru/accounts/login/")
    parent.fill("#id_username", "parent")
    parent.fill("#id_password", demo.password)
    parent.locator("main form button[type=submit]").click()
    expect(parent.locator("h1#home-title")).to_be_visible()
    parent.locator("#journal-children a.journal-child-link").first.click()
    expect(parent.locator(".subject-card").first).to_be_visible()
    assert parent.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(parent, "journal-demo-child-phone-ru")
    parent_ctx.close()
