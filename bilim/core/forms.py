from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import CalendarOverride


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong user name or password. After several failed attempts the account is locked for a while."),
        "inactive": _("This account is disabled."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User name")
        self.fields["password"].label = _("Password")
        self.fields["username"].error_messages = {"required": _("Enter your user name.")}
        self.fields["password"].error_messages = {"required": _("Enter your password.")}
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "form-control"}),
                                   error_messages={"required": _("Enter your current password.")})
    new_password1 = forms.CharField(label=_("New password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "class": "form-control"}),
                                    help_text=_("At least 10 characters, not only digits, not a common password."),
                                    error_messages={"required": _("Enter a new password.")})
    new_password2 = forms.CharField(label=_("New password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "class": "form-control"}),
                                    error_messages={"required": _("Enter the new password again.")})

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password2") and data["new_password1"] != data["new_password2"]:
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100, widget=forms.TextInput(attrs={"class": "form-control"}),
                           error_messages={"required": _("Give the token a name."), "max_length": _("At most 100 characters.")})
    expires_at = forms.DateField(label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
                                 error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")})


class CalendarOverrideForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
                           error_messages={"required": _("Enter the date."), "invalid": _("Enter a date as YYYY-MM-DD.")})
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarOverride.Kind.choices, widget=forms.Select(attrs={"class": "form-select"}),
                             error_messages={"required": _("Choose the kind."), "invalid_choice": _("Choose one of the allowed values.")})
    reason = forms.CharField(label=_("Decree and reason"), max_length=300, widget=forms.TextInput(attrs={"class": "form-control"}),
                             error_messages={"required": _("Name the decree that moved the day."), "max_length": _("At most 300 characters.")})


class DeadlineForm(forms.Form):
    date = forms.DateField(label=_("Deadline date"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
                           error_messages={"required": _("Enter the date."), "invalid": _("Enter a date as YYYY-MM-DD.")})
