from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation

from ..i18n import _
from .models import Role, Workspace


class WorkspaceForm(forms.ModelForm[Workspace]):
    class Meta:
        model = Workspace
        fields = ["name", "account", "together", "peers", "timezone"]


class InvitationForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=[(Role.CLIENT_EDITOR.value, Role.CLIENT_EDITOR.value),
                                      (Role.CLIENT_VIEWER.value, Role.CLIENT_VIEWER.value),
                                      (Role.CONSULTANT.value, Role.CONSULTANT.value)])


class JoinForm(forms.Form):
    """A new person's account, created as they accept an invitation."""

    username = forms.RegexField(regex=r"^[\w.-]{2,40}$", max_length=40)
    password = forms.CharField(widget=forms.PasswordInput, strip=False)

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_username(self) -> str:
        name: str = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=name).exists():
            raise forms.ValidationError(_("This name is taken."))
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "password" in data and "username" in data:
            user = get_user_model()(username=data["username"], email=self.email)
            password_validation.validate_password(data["password"], user)
        return data
