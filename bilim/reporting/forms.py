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
