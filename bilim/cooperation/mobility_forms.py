"""Forms of the mobility, agreements and annual-report pages: they only parse what was typed (dates,
numbers, choices); every rule is the services' (``mobility_services``, ``agreements_services``),
whose field errors the views put back on these forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import mobility_common as common
from .models import (
    AgreementKind,
    ConferenceParticipation,
    Funding,
    MissionContact,
    PartnerKind,
    PersonCategory,
    Purpose,
    ReserveCandidate,
    TeachingMaterial,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _date(label, required=True):
    return forms.DateField(label=label, required=required, widget=DATE)


class UnitForm(forms.Form):
    """A form whose choices come from one organization's records (subdivisions, people …)."""

    def __init__(self, *args, unit=None, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        for name, options in (choices or {}).items():
            if name in self.fields:
                field = self.fields[name]
                blank = [("", "—")] if not field.required or isinstance(field, forms.ChoiceField) else []
                field.choices = blank + list(options)
        for name in ("country",):
            if name in self.fields:
                self.fields[name].choices = [("", "—")] + common.country_choices()
        for field in self.fields.values():
            widget = field.widget
            css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)

    def apply_errors(self, error) -> None:
        """Put a service's ``DomainError`` field reasons on the fields (the rest on the form)."""
        for name, message in (error.fields or {}).items():
            target = name.split(".")[0]
            self.add_error(target if target in self.fields else None, message)
        if not error.fields:
            self.add_error(None, error.message)


class SubdivisionForm(UnitForm):
    name_kk = forms.CharField(label=_("name (Kazakh)"), max_length=300)
    name_ru = forms.CharField(label=_("name (Russian)"), max_length=300)
    name_en = forms.CharField(label=_("name (English)"), max_length=300, required=False)
    address = forms.CharField(label=_("address"), max_length=300, required=False)
    building = forms.CharField(label=_("building"), max_length=60, required=False)
    room = forms.CharField(label=_("room"), max_length=30, required=False)
    phone = forms.CharField(label=_("phone"), max_length=40, required=False)
    external_relations = forms.BooleanField(label=_("carries out external relations directly"), required=False)
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)


class PersonForm(UnitForm):
    last_name = forms.CharField(label=_("surname"), max_length=100)
    first_name = forms.CharField(label=_("first name"), max_length=100)
    patronymic = forms.CharField(label=_("patronymic"), max_length=100, required=False)
    birth_year = forms.IntegerField(label=_("year of birth"))
    category = forms.ChoiceField(label=_("category"), choices=PersonCategory.choices)
    subdivision = forms.ChoiceField(label=_("subdivision"), required=False)
    home_address = forms.CharField(label=_("place of residence in Kazakhstan"), max_length=300)
    phone = forms.CharField(label=_("phone"), max_length=40, required=False)
    email = forms.CharField(label=_("email"), max_length=254, required=False)


class ReserveForm(UnitForm):
    person = forms.ChoiceField(label=_("person"))
    subdivision = forms.ChoiceField(label=_("subdivision"))
    language_1 = forms.ChoiceField(label=_("language"), required=False)
    level_1 = forms.ChoiceField(label=_("level"), required=False)
    certificate_1 = forms.CharField(label=_("certificate"), max_length=200, required=False)
    language_2 = forms.ChoiceField(label=_("second language"), required=False)
    level_2 = forms.ChoiceField(label=_("level"), required=False)
    certificate_2 = forms.CharField(label=_("certificate"), max_length=200, required=False)
    countries = forms.MultipleChoiceField(label=_("countries of preparation"), required=False)
    preparation = forms.CharField(label=_("language and country preparation"), widget=TEXTAREA, required=False)
    status = forms.ChoiceField(label=_("status"), choices=ReserveCandidate.Status.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        languages = [("", "—")] + common.language_choices()
        levels = [("", "—")] + [(level, level) for level in common.CEFR_LEVELS]
        for n in (1, 2):
            self.fields[f"language_{n}"].choices = languages
            self.fields[f"level_{n}"].choices = levels
        self.fields["countries"].choices = common.country_choices()
        self.fields["countries"].widget.attrs["size"] = 6

    def languages(self) -> list[dict]:
        return [{"language": self.cleaned_data.get(f"language_{n}", ""), "level": self.cleaned_data.get(f"level_{n}", ""),
                 "certificate": self.cleaned_data.get(f"certificate_{n}", "")} for n in (1, 2)]

    def apply_errors(self, error) -> None:
        for name, message in (error.fields or {}).items():
            if name.startswith("languages."):
                _prefix, index, part = (name.split(".") + ["", ""])[:3]
                target = f"{'level' if part == 'level' else 'certificate' if part == 'certificate' else 'language'}_{int(index) + 1}" if index.isdigit() else "language_1"
                self.add_error(target if target in self.fields else "language_1", message)
            elif name == "languages":
                self.add_error("language_1", message)
            else:
                target = name.split(".")[0]
                self.add_error(target if target in self.fields else None, message)


class PlanCreateForm(UnitForm):
    year = forms.CharField(label=_("academic year"), max_length=9, help_text=_("e.g. 2025-2026"))


class PlanItemForm(UnitForm):
    subdivision = forms.ChoiceField(label=_("subdivision"))
    purpose = forms.ChoiceField(label=_("purpose"), choices=Purpose.choices)
    country = forms.ChoiceField(label=_("country"))
    host_organization = forms.CharField(label=_("host organization"), max_length=300)
    starts_on = _date(_("planned start"))
    ends_on = _date(_("planned end"))
    participants = forms.IntegerField(label=_("number of people"), initial=1)
    funding = forms.ChoiceField(label=_("funding"), choices=Funding.choices)
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class NewVersionForm(UnitForm):
    change_reason = forms.CharField(label=_("reason for the new version"), widget=TEXTAREA)


class TripForm(UnitForm):
    person = forms.ChoiceField(label=_("person"))
    subdivision = forms.ChoiceField(label=_("subdivision"))
    purpose = forms.ChoiceField(label=_("purpose"), choices=Purpose.choices)
    plan_item = forms.ChoiceField(label=_("item of the plan"), required=False)
    country = forms.ChoiceField(label=_("country"))
    city = forms.CharField(label=_("city"), max_length=120)
    host_organization = forms.CharField(label=_("host organization"), max_length=300)
    address_abroad = forms.CharField(label=_("place of temporary residence abroad"), max_length=300, required=False)
    starts_on = _date(_("start"))
    ends_on = _date(_("end"))
    funding = forms.ChoiceField(label=_("funding"), choices=Funding.choices)
    funding_note = forms.CharField(label=_("funding details"), max_length=300, required=False)
    order_number = forms.CharField(label=_("order number"), max_length=40, required=False)
    order_date = _date(_("order date"), required=False)


class ReturnForm(UnitForm):
    returned_on = _date(_("date of return to Kazakhstan"))


class CancelForm(UnitForm):
    reason = forms.CharField(label=_("reason"), max_length=500)


class DocumentAddForm(UnitForm):
    label = forms.CharField(label=_("document"), max_length=200)


class TripReportForm(UnitForm):
    summary = forms.CharField(label=_("what was done"), widget=TEXTAREA)
    results = forms.CharField(label=_("results"), widget=TEXTAREA)
    implementation = forms.CharField(label=_("use in teaching and research"), widget=TEXTAREA, required=False)


# --- agreements, contacts, conferences, the work plan ----------------------------------------------

class PartnerForm(UnitForm):
    name = forms.CharField(label=_("partner"), max_length=300)
    country = forms.ChoiceField(label=_("country"))
    city = forms.CharField(label=_("city"), max_length=120, required=False)
    kind = forms.ChoiceField(label=_("type of organization"), choices=PartnerKind.choices)
    website = forms.CharField(label=_("website"), max_length=200, required=False)


class AgreementForm(UnitForm):
    partner = forms.ChoiceField(label=_("partner"))
    title = forms.CharField(label=_("title"), max_length=300)
    kind = forms.ChoiceField(label=_("type"), choices=AgreementKind.choices)
    number = forms.CharField(label=_("number"), max_length=60, required=False)
    subdivision = forms.ChoiceField(label=_("responsible subdivision"), required=False)
    subject = forms.CharField(label=_("subject"), widget=TEXTAREA, required=False)
    signed_on = _date(_("signed on"), required=False)
    valid_from = _date(_("valid from"), required=False)
    valid_to = _date(_("valid to"), required=False)


class MoveForm(UnitForm):
    status = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("comment"), max_length=2000, required=False)


class CopyForm(UnitForm):
    signed_copy = forms.FileField(label=_("signed copy (PDF)"))


class NoteForm(UnitForm):
    on = _date(_("date"))
    text = forms.CharField(label=_("what was done"), widget=TEXTAREA)


class ContactForm(UnitForm):
    counterpart_kind = forms.ChoiceField(label=_("counterpart"), choices=MissionContact.Counterpart.choices)
    counterpart = forms.CharField(label=_("name of the mission or centre"), max_length=300)
    country = forms.ChoiceField(label=_("country"))
    on = _date(_("date"))
    form = forms.ChoiceField(label=_("form of contact"), choices=MissionContact.Form.choices)
    subject = forms.CharField(label=_("subject"), widget=TEXTAREA)
    outcome = forms.CharField(label=_("outcome"), widget=TEXTAREA, required=False)


class ConferenceForm(UnitForm):
    person = forms.ChoiceField(label=_("participant"))
    subdivision = forms.ChoiceField(label=_("subdivision"), required=False)
    kind = forms.ChoiceField(label=_("kind of event"), choices=ConferenceParticipation.Kind.choices)
    title = forms.CharField(label=_("event"), max_length=300)
    country = forms.ChoiceField(label=_("country"))
    city = forms.CharField(label=_("city"), max_length=120)
    starts_on = _date(_("start"))
    ends_on = _date(_("end"))
    role = forms.ChoiceField(label=_("role"), choices=ConferenceParticipation.Role.choices)
    format = forms.ChoiceField(label=_("format"), choices=ConferenceParticipation.Format.choices)
    paper = forms.CharField(label=_("paper or talk"), max_length=300, required=False)


class WorkPlanForm(UnitForm):
    year = forms.CharField(label=_("academic year"), max_length=9, help_text=_("e.g. 2025-2026"))
    approved_on = _date(_("approved on"), required=False)


class WorkPlanItemForm(UnitForm):
    activity = forms.CharField(label=_("activity"), widget=TEXTAREA)
    responsible = forms.CharField(label=_("responsible"), max_length=300)
    due_on = _date(_("due"))
    done = forms.BooleanField(label=_("done"), required=False)
    done_on = _date(_("done on"), required=False)
    result = forms.CharField(label=_("result"), widget=TEXTAREA, required=False)


MATERIAL_ROWS = 8


class TeachingForm(UnitForm):
    mixed_groups = forms.CharField(label=_("teaching, methodological, research and educational work in mixed groups with foreigners"), widget=TEXTAREA, required=False)
    language_training = forms.CharField(label=_("language preparation"), widget=TEXTAREA, required=False)
    low_achievers = forms.CharField(label=_("work with students who fall behind"), widget=TEXTAREA, required=False)
    teacher_training = forms.CharField(label=_("professional development of the teachers of foreigners"), widget=TEXTAREA, required=False)
    individual_plans = forms.CharField(label=_("fulfilment of individual plans by foreign students and staff"), widget=TEXTAREA, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [("", "—")] + list(TeachingMaterial.Kind.choices)
        for n in range(MATERIAL_ROWS):
            self.fields[f"material_{n}_kind"] = forms.ChoiceField(label=_("kind"), choices=kinds, required=False,
                                                                  widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
            self.fields[f"material_{n}_title"] = forms.CharField(label=_("title"), max_length=300, required=False,
                                                                 widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))
            self.fields[f"material_{n}_authors"] = forms.CharField(label=_("authors"), max_length=300, required=False,
                                                                   widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))

    def text_fields(self):
        return [self[name] for name in ("mixed_groups", "language_training", "low_achievers", "teacher_training", "individual_plans")]

    def material_rows(self):
        return [(self[f"material_{n}_kind"], self[f"material_{n}_title"], self[f"material_{n}_authors"]) for n in range(MATERIAL_ROWS)]

    def materials(self) -> list[dict]:
        return [{"kind": self.cleaned_data.get(f"material_{n}_kind") or None, "title": self.cleaned_data.get(f"material_{n}_title", ""),
                 "authors": self.cleaned_data.get(f"material_{n}_authors", "")} for n in range(MATERIAL_ROWS)]

    def apply_errors(self, error) -> None:
        for name, message in (error.fields or {}).items():
            if name.startswith("materials."):
                parts = name.split(".")
                target = f"material_{parts[1]}_{parts[2]}" if len(parts) == 3 else None
                self.add_error(target if target in self.fields else None, message)
            else:
                self.add_error(name if name in self.fields else None, message)


class SubmitForm(UnitForm):
    head_name = forms.CharField(label=_("the head who confirms the data"), max_length=300)
    head_confirmed = forms.BooleanField(label=_("I confirm that the data are correct"), required=False)
    correction_reason = forms.CharField(label=_("reason for the correction"), widget=TEXTAREA, required=False)
