"""Forms of the library's pages. They only parse what the browser sent (types, sizes); the rules of
a record — a title, a valid ISBN, DOI or date, a known type and language — are checked by
``services`` (through ``metadata.clean``), whose messages are shown next to the same field names."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Access, Language, ResourceType

_text = {"class": "form-control"}
_select = {"class": "form-select"}
_DATE = {"invalid": _("Enter a date as YYYY-MM-DD.")}
_TEXT_ERRORS = {"max_length": _("The text is too long."), "null_characters_not_allowed": _("This value is not valid.")}


def _char(label, *, max_length, required=False, help_text="", textarea=False, rows=3, attrs=None):
    widget = forms.Textarea(attrs=_text | {"rows": rows} | (attrs or {})) if textarea else forms.TextInput(attrs=_text | {"maxlength": max_length} | (attrs or {}))
    return forms.CharField(label=label, required=required, max_length=max_length, help_text=help_text, widget=widget,
                           error_messages=_TEXT_ERRORS | {"required": _("This field is required.")}, strip=False)


class ResourceForm(forms.Form):
    """A record's metadata. Required fields are left to the service, so that every missing value is
    reported with the service's message."""

    collection = forms.TypedChoiceField(label=_("Collection"), coerce=int, widget=forms.Select(attrs=_select),
                                        error_messages={"invalid_choice": _("Choose a collection."), "required": _("Choose a collection.")})
    title = _char(_("Title"), max_length=1000, attrs={"required": True})
    creators = _char(_("Authors"), max_length=20000, textarea=True, rows=2,
                     help_text=_("One per line or separated by semicolons: «Surname, Given names»."))
    subjects = _char(_("Subjects (keywords)"), max_length=20000, textarea=True, rows=2, help_text=_("One per line or separated by semicolons."))
    description = _char(_("Description (abstract)"), max_length=20000, textarea=True, rows=5)
    publisher = _char(_("Publisher"), max_length=500)
    issued = _char(_("Date issued"), max_length=20, help_text=_("YYYY, YYYY-MM or YYYY-MM-DD"), attrs={"inputmode": "numeric"})
    type = forms.ChoiceField(label=_("Type"), choices=[("", "—")] + list(ResourceType.choices), required=False, widget=forms.Select(attrs=_select),
                             error_messages={"invalid_choice": _("Choose one of the allowed values.")})
    language = forms.ChoiceField(label=_("Language"), choices=[("", "—")] + list(Language.choices), required=False,
                                 widget=forms.Select(attrs=_select), error_messages={"invalid_choice": _("Choose one of the allowed values.")})
    isbn = _char(_("ISBN"), max_length=40)
    doi = _char(_("DOI"), max_length=300, help_text=_("e.g. 10.1234/abc"))
    url = _char(_("Other identifier (URL)"), max_length=1000)
    rights = _char(_("Rights"), max_length=500, help_text=_("e.g. CC BY 4.0"))
    access = forms.ChoiceField(label=_("Access to the files"), choices=Access.choices, initial=Access.OPEN, widget=forms.Select(attrs=_select),
                               error_messages={"invalid_choice": _("Choose one of the allowed values.")})
    embargo_until = forms.DateField(label=_("Embargo until"), required=False, input_formats=["%Y-%m-%d"], error_messages=_DATE,
                                    help_text=_("Until this date only your university's people may open the files."),
                                    widget=forms.DateInput(attrs=_text | {"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, collections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collection"].choices = [(c.pk, f"{c.name} ({c.university.name})" if len({x.university_id for x in collections}) > 1 else c.name)
                                             for c in collections]


class FileForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, EPUB or DOCX)"), required=False,
                           widget=forms.ClearableFileInput(attrs=_text | {"accept": ".pdf,.epub,.docx,application/pdf,application/epub+zip"}),
                           error_messages={"invalid": _("Choose a file."), "empty": _("The file is empty.")})


class CollectionForm(forms.Form):
    university = forms.TypedChoiceField(label=_("University"), coerce=int, widget=forms.Select(attrs=_select),
                                        error_messages={"invalid_choice": _("Choose a university."), "required": _("Choose a university.")})
    code = _char(_("Code"), max_length=64, help_text=_("Latin letters, digits and hyphens, e.g. textbooks"))
    name_kk = _char(_("Name (Kazakh)"), max_length=300)
    name_ru = _char(_("Name (Russian)"), max_length=300)
    name_en = _char(_("Name (English)"), max_length=300)
    description = _char(_("Description"), max_length=5000, textarea=True)

    def __init__(self, *args, universities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["university"].choices = [(u.pk, u.name) for u in universities]


class ImportForm(forms.Form):
    collection = forms.TypedChoiceField(label=_("Collection"), coerce=int, widget=forms.Select(attrs=_select),
                                        error_messages={"invalid_choice": _("Choose a collection."), "required": _("Choose a collection.")})
    file = forms.FileField(label=_("File (CSV or XLSX)"), required=False,
                           widget=forms.ClearableFileInput(attrs=_text | {"accept": ".csv,.xlsx"}),
                           error_messages={"invalid": _("Choose a file."), "empty": _("The file is empty.")})

    def __init__(self, *args, collections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collection"].choices = [(c.pk, c.name) for c in collections]


class SubscriptionForm(forms.Form):
    institution = forms.TypedChoiceField(label=_("Institution"), coerce=int, widget=forms.Select(attrs=_select),
                                         error_messages={"invalid_choice": _("Choose an organization."), "required": _("Choose an organization.")})
    starts = forms.DateField(label=_("Starts"), input_formats=["%Y-%m-%d"], error_messages=_DATE | {"required": _("This field is required.")},
                             widget=forms.DateInput(attrs=_text | {"type": "date"}, format="%Y-%m-%d"))
    ends = forms.DateField(label=_("Ends"), input_formats=["%Y-%m-%d"], error_messages=_DATE | {"required": _("This field is required.")},
                           widget=forms.DateInput(attrs=_text | {"type": "date"}, format="%Y-%m-%d"))
    note = _char(_("Note"), max_length=500)

    def __init__(self, *args, institutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].choices = [(u.pk, u.name) for u in institutions]
