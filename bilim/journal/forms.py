"""Forms of the journal's pages. They only parse what the browser sent (types, sizes); the rules of
the journal — dates inside a term, mark ranges, who may write — are checked by ``services``, whose
messages are shown next to the same field names."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

_text = {"class": "form-control"}
_REQUIRED = {"required": _("This field is required.")}
_DATE = {"invalid": _("Enter a date as YYYY-MM-DD.")}


class LessonForm(forms.Form):
    """A lesson column: its date, number of the day and topic (the marks come as ``cell-<pupil>``)."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs=_text | {"type": "date"}, format="%Y-%m-%d"),
                           input_formats=["%Y-%m-%d"], error_messages=_REQUIRED | _DATE)
    number = forms.IntegerField(label=_("Lesson of the day"), min_value=1, max_value=12, initial=1,
                                widget=forms.NumberInput(attrs=_text | {"min": 1, "max": 12}),
                                error_messages=_REQUIRED | {"invalid": _("Enter a whole number."),
                                                            "min_value": _("The lesson number is from 1 to 12."),
                                                            "max_value": _("The lesson number is from 1 to 12.")})
    topic = forms.CharField(label=_("Topic"), required=False, max_length=300,
                            widget=forms.TextInput(attrs=_text | {"maxlength": 300}),
                            error_messages={"max_length": _("The text is too long."), "null_characters_not_allowed": _("This value is not valid.")})


class LinkRequestForm(forms.Form):
    iin = forms.CharField(label=_("The child's IIN"), required=False, max_length=12,
                          widget=forms.TextInput(attrs=_text | {"inputmode": "numeric", "autocomplete": "off", "maxlength": 12,
                                                                "pattern": "[0-9]{12}"}),
                          error_messages={"max_length": _("The IIN is 12 digits."), "null_characters_not_allowed": _("The IIN is 12 digits.")})
    birth_date = forms.DateField(label=_("The child's date of birth"), required=False, input_formats=["%Y-%m-%d"],
                                 widget=forms.DateInput(attrs=_text | {"type": "date"}, format="%Y-%m-%d"), error_messages=_DATE)
