"""Forms of the reporting pages. They only parse what the browser sent (types, sizes); every rule of
the domain — what is required, what may be done — is checked by ``services``, whose messages are
shown next to the same field names."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_SIGNATURE_FILE = 256 * 1024  # a detached CMS with a certificate chain is a few KB
MAX_XLSX_FILE = 5 * 1024 * 1024  # the same limit read_workbook applies

_text = {"class": "form-control"}


class SubmitForm(forms.Form):
    head_name = forms.CharField(label=_("Head's name"), max_length=300, required=False,
                                widget=forms.TextInput(attrs=_text | {"autocomplete": "name"}),
                                error_messages={"max_length": _("At most 300 characters.")})
    head_confirmed = forms.BooleanField(label=_("I, the head, confirm that the data are correct"), required=False,
                                        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    correction_reason = forms.CharField(label=_("Reason for the correction"), required=False, max_length=2000,
                                        widget=forms.Textarea(attrs=_text | {"rows": 2}),
                                        error_messages={"max_length": _("At most 2000 characters.")})
    signature_file = forms.FileField(label=_("Signature file (.p7s, .cms, .sig)"), required=False,
                                     widget=forms.ClearableFileInput(attrs=_text | {"accept": ".p7s,.cms,.sig,.p7m,.pem,.txt"}))
    signature_text = forms.CharField(label=_("or the signature as base64 text"), required=False, max_length=400_000,
                                     widget=forms.Textarea(attrs=_text | {"rows": 2, "spellcheck": "false"}),
                                     error_messages={"max_length": _("The signature is too large.")})
    idempotency_key = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput,
                                      error_messages={"max_length": _("At most 80 characters.")})

    def clean_signature_file(self):
        upload = self.cleaned_data.get("signature_file")
        if upload and upload.size > MAX_SIGNATURE_FILE:
            raise forms.ValidationError(_("The signature file is too large."))
        return upload

    def signature(self) -> bytes | None:
        """The signature the head attached, as bytes (DER, PEM or base64 text), or None."""
        upload = self.cleaned_data.get("signature_file")
        if upload:
            return upload.read()
        text = (self.cleaned_data.get("signature_text") or "").strip()
        return text.encode("utf-8") if text else None


class AcceptForm(forms.Form):
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs=_text | {"rows": 2}),
                              error_messages={"max_length": _("At most 2000 characters.")})


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("What must be corrected"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs=_text | {"rows": 2}),
                              error_messages={"max_length": _("At most 2000 characters.")})


class ExtensionForm(forms.Form):
    until = forms.DateField(label=_("New deadline"), required=False,
                            widget=forms.DateInput(attrs=_text | {"type": "date"}),
                            error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")})
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300,
                             widget=forms.TextInput(attrs=_text),
                             error_messages={"max_length": _("At most 300 characters.")})


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Filled-in workbook (.xlsx)"),
                           widget=forms.ClearableFileInput(attrs=_text | {"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
                           error_messages={"required": _("Choose the .xlsx file to upload."),
                                           "empty": _("The file is empty.")})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_XLSX_FILE:
            raise forms.ValidationError(_("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
                                        % {"size": f"{upload.size / 1048576:.1f}", "limit": MAX_XLSX_FILE // 1048576})
        return upload


# --- new campaign / ad-hoc request (form designers) -------------------------------------------------

ORGANIZATION_KINDS = ("preschool", "school", "college", "university", "other")  # OrgKind values of organizations


class _FormChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.year} · v{obj.version} — {obj.name}"


class CampaignForm(forms.Form):
    """A campaign or an ad-hoc request. Choices come from the user's scope (``for_user``); required
    titles, the order of deadlines and the allowed participant levels are checked by the service."""

    form = _FormChoice(label=_("Approved form"), queryset=None, widget=forms.Select(attrs={"class": "form-select"}),
                       error_messages={"required": _("Choose a form."), "invalid_choice": _("Choose one of the allowed values.")})
    kind = forms.ChoiceField(label=_("Kind"), choices=(), initial="regular",
                             widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                             error_messages={"required": _("Choose one of the allowed values."),
                                             "invalid_choice": _("Choose one of the allowed values.")})
    name_kk = forms.CharField(label=_("Title in Kazakh"), required=False, max_length=300,
                              widget=forms.TextInput(attrs=_text | {"required": True}),
                              error_messages={"max_length": _("At most 300 characters.")})
    name_ru = forms.CharField(label=_("Title in Russian"), required=False, max_length=300,
                              widget=forms.TextInput(attrs=_text | {"required": True}),
                              error_messages={"max_length": _("At most 300 characters.")})
    name_en = forms.CharField(label=_("Title in English (optional)"), required=False, max_length=300,
                              widget=forms.TextInput(attrs=_text), error_messages={"max_length": _("At most 300 characters.")})
    period = forms.CharField(label=_("Period"), required=False, max_length=20,
                             help_text=_("e.g. 2026-2027 or 2026-11"),
                             widget=forms.TextInput(attrs=_text | {"required": True}),
                             error_messages={"max_length": _("At most 20 characters.")})
    deadline_organization = forms.DateField(label=_("Deadline for organizations"),
                                            widget=forms.DateInput(attrs=_text | {"type": "date"}),
                                            error_messages={"required": _("This field is required."),
                                                            "invalid": _("Enter a date as YYYY-MM-DD.")})
    deadline_district = forms.DateField(label=_("Deadline for districts"), required=False,
                                        widget=forms.DateInput(attrs=_text | {"type": "date"}),
                                        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")})
    deadline_region = forms.DateField(label=_("Deadline for regions"), required=False,
                                      widget=forms.DateInput(attrs=_text | {"type": "date"}),
                                      error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")})
    owner = forms.ModelChoiceField(label=_("Distributed by"), queryset=None, empty_label=None,
                                   widget=forms.Select(attrs={"class": "form-select"}),
                                   error_messages={"required": _("Choose one of the allowed values."),
                                                   "invalid_choice": _("Choose one of the allowed values.")})
    level = forms.TypedChoiceField(label=_("Who answers"), coerce=int, choices=(), initial=3,
                                   widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                                   error_messages={"required": _("Choose one of the allowed values."),
                                                   "invalid_choice": _("Choose one of the allowed values.")})
    kinds = forms.MultipleChoiceField(label=_("Kinds of organization"), required=False, choices=(),
                                      help_text=_("None checked: every kind."),
                                      widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                                      error_messages={"invalid_choice": _("Choose one of the allowed values.")})
    ownership = forms.ChoiceField(label=_("Ownership"), required=False, choices=(),
                                  widget=forms.Select(attrs={"class": "form-select"}),
                                  error_messages={"invalid_choice": _("Choose one of the allowed values.")})
    area_type = forms.ChoiceField(label=_("Area type"), required=False, choices=(),
                                  widget=forms.Select(attrs={"class": "form-select"}),
                                  error_messages={"invalid_choice": _("Choose one of the allowed values.")})
    regions = forms.ModelMultipleChoiceField(label=_("Regions"), required=False, queryset=None,
                                             help_text=_("None chosen: the whole territory of the distributor."),
                                             widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 8}),
                                             error_messages={"invalid_choice": _("Choose one of the allowed values."),
                                                             "invalid_pk_value": _("Choose one of the allowed values.")})

    def __init__(self, *args, forms_qs, owners_qs, regions_qs, **kwargs):
        from bilim.core.models import AreaType, Level, OrgKind, Ownership

        from .models import Campaign

        super().__init__(*args, **kwargs)
        self.fields["form"].queryset = forms_qs
        self.fields["owner"].queryset = owners_qs
        self.fields["regions"].queryset = regions_qs
        self.fields["kind"].choices = Campaign.Kind.choices
        self.fields["level"].choices = [
            (Level.ORGANIZATION, _("Organizations")),
            (Level.DISTRICT, _("Districts and cities (ad-hoc requests only)")),
            (Level.REGION, _("Regions (ad-hoc requests only)")),
        ]
        self.fields["kinds"].choices = [(value, label) for value, label in OrgKind.choices if value in ORGANIZATION_KINDS]
        self.fields["ownership"].choices = [("", _("Any"))] + list(Ownership.choices)
        self.fields["area_type"].choices = [("", _("Any"))] + list(AreaType.choices)
        owners = list(owners_qs)
        if len(owners) == 1:
            self.fields["owner"].initial = owners[0].pk
            self.fields["owner"].widget = forms.HiddenInput()
        self.single_owner = owners[0] if len(owners) == 1 else None

    def clean(self):
        data = super().clean()
        owner, regions = data.get("owner"), data.get("regions")
        if owner is not None and regions:
            outside = [r for r in regions if not r.path.startswith(owner.path)]
            if outside:
                self.add_error("regions", _("Choose regions inside the distributor's territory."))
        return data

    def participants(self) -> dict:
        """The participant filter for ``services.campaign_create``. Kinds, ownership and area type
        describe organizations: they apply only when organizations answer."""
        data = self.cleaned_data
        level = data["level"]
        result: dict = {"level": level}
        if level == 3:
            if data.get("kinds"):
                result["kinds"] = list(data["kinds"])
            for key in ("ownership", "area_type"):
                if data.get(key):
                    result[key] = data[key]
        if data.get("regions"):
            result["regions"] = [r.pk for r in data["regions"]]
        return result

    def mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()
