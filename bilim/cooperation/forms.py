"""Forms of the international office's pages. They only parse what was typed (dates, numbers,
choices); every rule of the questionnaire is checked once, by ``services`` — its errors come back
onto these forms by field name (``relatives[2].birth_year`` → the relatives' row 2)."""

from __future__ import annotations

import re

from django import forms
from django.forms import formset_factory
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import questionnaire, reference
from .models import (Accommodation, ActivityKind, Basis, Category, DepartureReason, EducationType, Foreigner, LanguageLevel,
                     MaritalStatus, Office, OfficeStaff, Reason, Relation, Sex)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BLANK = [("", "—")]


def _label(field: str):
    return Foreigner._meta.get_field(field).verbose_name


class Styled:
    """Bootstrap's classes on every widget; ``aria-invalid`` on fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect, forms.HiddenInput)):
                continue
            css = ("form-check-input" if isinstance(widget, forms.CheckboxInput)
                   else "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm")
            if css not in widget.attrs.get("class", ""):
                widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self):
        super().full_clean()
        for name in getattr(self, "_errors", None) or {}:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"

    def add_error(self, field, error):
        super().add_error(field, error)
        if field in self.fields:
            self.fields[field].widget.attrs["aria-invalid"] = "true"
            self.fields[field].widget.attrs["class"] = self.fields[field].widget.attrs.get("class", "") + " is-invalid"


def _required(form: forms.Form, names) -> None:
    """The browser's own hint (``required``); the service gives the real message."""
    for name in names:
        form.fields[name].widget.attrs["required"] = "required"


class ForeignerForm(Styled, forms.Form):
    photo = forms.FileField(label=_label("photo"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    surname_latin = forms.CharField(label=_label("surname_latin"), required=False, max_length=100)
    given_names_latin = forms.CharField(label=_label("given_names_latin"), required=False, max_length=150)
    last_name = forms.CharField(label=_label("last_name"), required=False, max_length=100)
    first_name = forms.CharField(label=_label("first_name"), required=False, max_length=100)
    patronymic = forms.CharField(label=_label("patronymic"), required=False, max_length=100)
    sex = forms.ChoiceField(label=_label("sex"), required=False, choices=BLANK + Sex.choices)
    citizenship = forms.ChoiceField(label=_label("citizenship"), required=False)
    birth_date = forms.DateField(label=_label("birth_date"), required=False, widget=DATE)
    birth_country = forms.ChoiceField(label=_label("birth_country"), required=False)
    birth_place = forms.CharField(label=_label("birth_place"), required=False, max_length=200)
    passport_number = forms.CharField(label=_label("passport_number"), required=False, max_length=30)
    passport_issued_on = forms.DateField(label=_label("passport_issued_on"), required=False, widget=DATE)
    passport_expires_on = forms.DateField(label=_label("passport_expires_on"), required=False, widget=DATE)
    passport_issued_by = forms.CharField(label=_label("passport_issued_by"), required=False, max_length=200)
    nationality = forms.CharField(label=_label("nationality"), required=False, max_length=100)
    religion = forms.CharField(label=_label("religion"), required=False, max_length=100)
    memberships = forms.CharField(label=_label("memberships"), required=False, max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    permanent_address = forms.CharField(label=_label("permanent_address"), required=False, max_length=500,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    phones = forms.CharField(label=_label("phones"), required=False, max_length=200)
    email = forms.CharField(label=_label("email"), required=False, max_length=254, widget=forms.EmailInput)
    marital_status = forms.ChoiceField(label=_label("marital_status"), required=False, choices=BLANK + MaritalStatus.choices)
    reason_other = forms.CharField(label=_label("reason_other"), required=False, max_length=300)
    study_purpose = forms.CharField(label=_label("study_purpose"), required=False, max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    about = forms.CharField(label=_label("about"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    category = forms.ChoiceField(label=_label("category"), required=False, choices=BLANK + Category.choices)
    basis = forms.ChoiceField(label=_label("basis"), required=False, choices=BLANK + Basis.choices)
    specialty = forms.CharField(label=_label("specialty"), required=False, max_length=200)
    course = forms.IntegerField(label=_label("course"), required=False, min_value=1, max_value=7)
    is_diaspora = forms.BooleanField(label=_label("is_diaspora"), required=False)
    is_kandas = forms.BooleanField(label=_label("is_kandas"), required=False)
    admission_order_number = forms.CharField(label=_label("admission_order_number"), required=False, max_length=50)
    admission_order_date = forms.DateField(label=_label("admission_order_date"), required=False, widget=DATE)
    arrival_date = forms.DateField(label=_label("arrival_date"), required=False, widget=DATE)
    accommodation = forms.ChoiceField(label=_label("accommodation"), required=False, choices=BLANK + Accommodation.choices)
    accommodation_address = forms.CharField(label=_label("accommodation_address"), required=False, max_length=300)
    medical_checkup_on = forms.DateField(label=_label("medical_checkup_on"), required=False, widget=DATE)
    expected_end_date = forms.DateField(label=_label("expected_end_date"), required=False, widget=DATE)
    acknowledged = forms.BooleanField(label=_("The foreigner is acquainted with the laws of the Republic of Kazakhstan on the "
                                              "legal status of foreigners, the rules of the dormitory, the internal rules of the "
                                              "organization and the responsibility for breaking the laws, and undertakes to "
                                              "follow them (item 17)"), required=False)
    acknowledged_on = forms.DateField(label=_label("acknowledged_on"), required=False, widget=DATE)
    signed = forms.BooleanField(label=_label("signed"), required=False)
    consent = forms.BooleanField(label=_("The foreigner consents to the processing of personal data (the text above)"),
                                 required=False)
    consent_version = forms.CharField(required=False, widget=forms.HiddenInput, initial=questionnaire.CONSENT_VERSION)

    REQUIRED = ("surname_latin", "given_names_latin", "sex", "citizenship", "birth_date", "birth_country", "birth_place",
                "passport_number", "passport_issued_on", "passport_expires_on", "permanent_address", "phones", "marital_status",
                "study_purpose", "category", "basis", "arrival_date", "accommodation", "expected_end_date", "acknowledged_on")

    def __init__(self, *args, creating: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        language = get_language()
        self.fields["citizenship"].choices = BLANK + reference.country_choices(language, foreign_only=True)
        self.fields["birth_country"].choices = BLANK + reference.country_choices(language)
        for code, label in Reason.choices:
            self.fields[f"rank_{code}"] = forms.IntegerField(label=label, required=False, min_value=1, max_value=len(Reason.choices),
                                                               widget=forms.NumberInput(attrs={"class": "reason-rank"}))
        if not creating:
            del self.fields["consent"]
            del self.fields["consent_version"]
        _required(self, self.REQUIRED)
        self.style()

    def reason_fields(self):
        return [self[f"rank_{code}"] for code, _label in Reason.choices]

    def to_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("rank_")}
        data.pop("photo", None)
        data["reasons"] = {code: self.cleaned_data.get(f"rank_{code}") for code, _label in Reason.choices
                           if self.cleaned_data.get(f"rank_{code}") is not None}
        return data

    @staticmethod
    def initial_from(foreigner: Foreigner) -> dict:
        initial = {f.name: getattr(foreigner, f.name) for f in Foreigner._meta.concrete_fields
                   if f.name not in ("photo", "reasons", "relatives", "education", "languages", "activities")}
        for rank, code in enumerate(foreigner.reasons or [], start=1):
            initial[f"rank_{code}"] = rank
        return initial


class RelativeForm(Styled, forms.Form):
    relation = forms.ChoiceField(label=_("Relation"), required=False, choices=BLANK + Relation.choices)
    full_name = forms.CharField(label=_("Full name"), required=False, max_length=200)
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False, min_value=1, max_value=9999)
    citizenship = forms.ChoiceField(label=_("Citizenship"), required=False)
    occupation = forms.CharField(label=_("Occupation"), required=False, max_length=200)
    address = forms.CharField(label=_("Permanent address"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["citizenship"].choices = BLANK + reference.country_choices(get_language())


class EducationForm(Styled, forms.Form):
    organization = forms.CharField(label=_("Name of the education organization"), required=False, max_length=300)
    programme = forms.CharField(label=_("Programme of study"), required=False, max_length=300)
    year_from = forms.IntegerField(label=_("From (year)"), required=False, min_value=1, max_value=9999)
    year_to = forms.IntegerField(label=_("To (year)"), required=False, min_value=1, max_value=9999)
    types = forms.MultipleChoiceField(label=_("Type of the education organization"), required=False, choices=EducationType.choices,
                                      widget=forms.CheckboxSelectMultiple)
    document = forms.CharField(label=_("Document on education"), required=False, max_length=300)


class LanguageForm(Styled, forms.Form):
    language = forms.ChoiceField(label=_("Language"), required=False)
    other_name = forms.CharField(label=_("Other language"), required=False, max_length=60)
    spoken = forms.ChoiceField(label=_("Spoken"), required=False, choices=BLANK + LanguageLevel.choices)
    reading = forms.ChoiceField(label=_("Reading"), required=False, choices=BLANK + LanguageLevel.choices)
    writing = forms.ChoiceField(label=_("Writing"), required=False, choices=BLANK + LanguageLevel.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = (BLANK + reference.language_choices(get_language())
                                           + [(reference.OTHER_LANGUAGE, _("Other language"))])


class ActivityForm(Styled, forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)
    kind = forms.ChoiceField(label=_("Kind of activity"), required=False, choices=BLANK + ActivityKind.choices)
    description = forms.CharField(label=_("Activity and place"), required=False, max_length=400)


RelativeFormSet = formset_factory(RelativeForm, extra=0, can_delete=True, max_num=30, absolute_max=40)
EducationFormSet = formset_factory(EducationForm, extra=0, can_delete=True, max_num=15, absolute_max=20)
LanguageFormSet = formset_factory(LanguageForm, extra=0, can_delete=True, max_num=15, absolute_max=20)
ActivityFormSet = formset_factory(ActivityForm, extra=0, can_delete=True, max_num=20, absolute_max=25)

# prefix → (formset class, service key)
LISTS = {
    "relatives": (RelativeFormSet, "relatives"),
    "education": (EducationFormSet, "education"),
    "languages": (LanguageFormSet, "languages"),
    "activities": (ActivityFormSet, "activities"),
}
ROW_ERROR = re.compile(r"^(\w+)\[(\d+)\]\.(\w+)$")


def formset_rows(formset) -> tuple[list[dict], list[int]]:
    """The rows to give the service (not deleted, not left empty) and, for each, its form's index."""
    rows, index = [], []
    for number, form in enumerate(formset.forms):
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("DELETE"):
            continue
        values = {k: v for k, v in data.items() if k != "DELETE"}
        if not any(v not in (None, "", [], False) for v in values.values()):
            continue
        rows.append(values)
        index.append(number)
    return rows, index


def list_initial(rows: list[dict]) -> list[dict]:
    return [dict(row) for row in rows or []]


class DepartureForm(Styled, forms.Form):
    departure_date = forms.DateField(label=_label("departure_date"), required=False, widget=DATE)
    departure_reason = forms.ChoiceField(label=_label("departure_reason"), required=False,
                                         choices=BLANK + DepartureReason.choices)
    departure_note = forms.CharField(label=_label("departure_note"), required=False, max_length=300)


def _office_label(field: str):
    return Office._meta.get_field(field).verbose_name


def _staff_label(field: str):
    return OfficeStaff._meta.get_field(field).verbose_name


class OfficeForm(Styled, forms.Form):
    kind = forms.ChoiceField(label=_office_label("kind"), required=False, choices=BLANK + Office.Kind.choices,
                             widget=forms.RadioSelect)
    name = forms.CharField(label=_office_label("name"), required=False, max_length=300)
    order_number = forms.CharField(label=_office_label("order_number"), required=False, max_length=50)
    order_date = forms.DateField(label=_office_label("order_date"), required=False, widget=DATE)
    address = forms.CharField(label=_office_label("address"), required=False, max_length=300)
    building = forms.CharField(label=_office_label("building"), required=False, max_length=60)
    room = forms.CharField(label=_office_label("room"), required=False, max_length=30)
    regulation_approved = forms.BooleanField(label=_office_label("regulation_approved"), required=False)
    premises_secured = forms.BooleanField(label=_office_label("premises_secured"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Office.Kind.choices
        _required(self, ("order_number", "order_date"))


class StaffForm(Styled, forms.Form):
    full_name = forms.CharField(label=_staff_label("full_name"), required=False, max_length=200)
    position = forms.CharField(label=_staff_label("position"), required=False, max_length=200)
    is_head = forms.BooleanField(label=_("Head"), required=False)
    work_phone = forms.CharField(label=_staff_label("work_phone"), required=False, max_length=40)
    home_phone = forms.CharField(label=_staff_label("home_phone"), required=False, max_length=40)
    email = forms.CharField(label=_staff_label("email"), required=False, max_length=254)
    order_number = forms.CharField(label=_staff_label("order_number"), required=False, max_length=50)
    order_date = forms.DateField(label=_staff_label("order_date"), required=False, widget=DATE)
    experience_years = forms.IntegerField(label=_("Years of experience"), required=False, min_value=0, max_value=70)
    foreign_languages = forms.CharField(label=_staff_label("foreign_languages"), required=False, max_length=200)
    has_clearance = forms.BooleanField(label=_("Clearance"), required=False)


StaffFormSet = formset_factory(StaffForm, extra=0, can_delete=True, max_num=30, absolute_max=40)
