"""H2/H5 accounts: Argon2 hashes, login with lockout, logout, password change, CSRF, personal tokens."""

import pytest
from django.test import Client
from django.utils import translation

from bilim.core.models import ApiToken, AuditLog, User

LOGIN = "/en/accounts/login/"


def post_login(client, username, password, lang="en"):
    return client.post(f"/{lang}/accounts/login/", {"username": username, "password": password})


def test_passwords_are_argon2(demo):
    assert User.objects.get(username="teacher").password.startswith("argon2")


def test_login_reaches_home_and_logout_needs_post(demo, client):
    response = post_login(client, "district.esil", demo.password)
    assert response.status_code == 302 and response.url == "/en/"
    home = client.get("/en/")
    assert b'data-role="district_officer"' in home.content
    assert client.get("/en/accounts/logout/").status_code == 405  # GET never logs out
    assert client.post("/en/accounts/logout/").status_code == 302
    assert b"home-title" not in client.get("/en/").content


def test_wrong_password_is_refused_in_the_users_language(demo, client):
    response = post_login(client, "district.esil", "wrong-password", lang="kk")
    assert response.status_code == 200
    with translation.override("kk"):
        expected = translation.gettext("Wrong user name or password. After several failed attempts the account is locked for a while.")
    assert expected in response.content.decode()


def test_empty_form_names_each_field(demo, client):
    response = client.post(LOGIN, {"username": "", "password": ""})
    body = response.content.decode()
    assert "Enter your user name." in body and "Enter your password." in body


def test_lockout_after_repeated_failures(demo, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "district.esil", "wrong-password")
    response = post_login(client, "district.esil", demo.password)
    assert response.status_code == 403 and b'id="locked"' in response.content
    # another user from the same address is not locked: lockout is per user name
    assert post_login(client, "district.saryarka", demo.password).status_code == 302


def test_csrf_is_enforced_on_login(demo):
    client = Client(enforce_csrf_checks=True)
    assert client.post(LOGIN, {"username": "teacher", "password": demo.password}).status_code == 403


def test_session_cookie_is_http_only(demo, client):
    post_login(client, "teacher", demo.password)
    cookie = client.cookies["bilim_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_password_change(demo, client):
    user = demo.user("teacher")
    client.force_login(user)
    url = "/en/accounts/password/"
    bad = client.post(url, {"old_password": "nope", "new_password1": "Tau-Kerei-2026!", "new_password2": "Tau-Kerei-2026!"})
    assert bad.status_code == 400 and b"The current password is wrong." in bad.content
    mismatch = client.post(url, {"old_password": demo.password, "new_password1": "Tau-Kerei-2026!", "new_password2": "other-one-2026"})
    assert mismatch.status_code == 400 and b"The two new passwords differ." in mismatch.content
    weak = client.post(url, {"old_password": demo.password, "new_password1": "12345678901", "new_password2": "12345678901"})
    assert weak.status_code == 400 and b'data-field="new_password1"' in weak.content
    user.refresh_from_db()
    assert user.check_password(demo.password)  # nothing changed by the bad attempts
    ok = client.post(url, {"old_password": demo.password, "new_password1": "Tau-Kerei-2026!", "new_password2": "Tau-Kerei-2026!"})
    assert ok.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Tau-Kerei-2026!")
    assert AuditLog.objects.filter(action="user.password_change", object_id=str(user.pk)).exists()
    assert client.get("/en/").status_code == 200  # the session survives the change


def test_token_page_creates_shows_once_and_revokes(demo, client):
    user = demo.user("district.esil")
    client.force_login(user)
    response = client.post("/en/accounts/tokens/", {"name": "school system"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("bilim_")
    token = ApiToken.objects.get(user=user)
    assert token.digest != secret and secret not in token.digest  # only the hash is stored
    assert client.get("/en/accounts/tokens/").context["secret"] is None
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/me").json()["username"] == "district.esil"
    client.post(f"/en/accounts/tokens/{token.pk}/revoke/")
    assert api.get("/api/v1/me").status_code == 401


def test_token_form_errors(demo, client):
    client.force_login(demo.user("teacher"))
    response = client.post("/en/accounts/tokens/", {"name": "", "expires_at": "not-a-date"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["name"] == ["Give the token a name."] and errors["expires_at"] == ["Enter a date as YYYY-MM-DD."]
    past = client.post("/en/accounts/tokens/", {"name": "x", "expires_at": "2001-01-01"})
    assert past.status_code == 400 and past.context["form"].errors["expires_at"] == ["The expiry date must be in the future."]
    assert not ApiToken.objects.exists()


def test_cannot_revoke_someone_elses_token(demo, client):
    from bilim.core.services import token_create

    token, _secret = token_create(user=demo.user("teacher"), name="t")
    client.force_login(demo.user("district.esil"))
    assert client.post(f"/en/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
