"""A changed password or a disabled account ends the user's other browser sessions at once.

Issue 9. Sessions are signed cookies kept by the browser, so the hub cannot delete them: each
carries the user's session version, which a password change or a disable raises.
"""

from __future__ import annotations

import itertools

import pytest
import requests

from tests.factories import PASSWORD, make_user
from tests.support.browser import csrf_from, login, meta_token, threaded_site

NEW = "a brand new passphrase"
_numbers = itertools.count()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with threaded_site(tmp_path_factory.mktemp("sessions") / "var") as running:
        yield running


@pytest.fixture
def teacher(site) -> tuple[str, int]:
    """A fresh account per test: (email, id)."""
    hub = site.app.extensions["eduhub"]
    principal = make_user(hub, email=f"t{next(_numbers)}@example.cn")
    return principal.email, principal.user_id


def signed_in(site, browser: requests.Session) -> bool:
    answer = browser.get(f"{site.base_url}/api/v1/users/me")
    assert answer.status_code in (200, 401), answer.text[:200]
    return answer.status_code == 200


def copy_of(browser: requests.Session) -> requests.Session:
    """Another browser holding the same cookie (a copy taken before a change)."""
    other = requests.Session()
    other.cookies.update(browser.cookies)
    return other


def change_own_password(site, browser, user_id: int) -> requests.Response:
    token = meta_token(browser.get(f"{site.base_url}/mine").text)
    return browser.post(
        f"{site.base_url}/api/v1/users/{user_id}/password",
        json={"password": NEW, "current_password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )


def log_in_with(site, email: str, password: str) -> int:
    browser = requests.Session()
    token = csrf_from(browser.get(f"{site.base_url}/login").text)
    form = {"email": email, "password": password, "csrf_token": token}
    return browser.post(f"{site.base_url}/login", data=form, allow_redirects=False).status_code


def test_changing_ones_password_signs_out_the_other_sessions_but_not_this_one(site, teacher):
    email, user_id = teacher
    here, elsewhere = login(site.base_url, email), login(site.base_url, email)
    before = copy_of(here)  # the cookie as it was: a stolen copy must not outlive the change
    assert signed_in(site, elsewhere) and signed_in(site, before)
    assert change_own_password(site, here, user_id).status_code == 204
    assert signed_in(site, here)
    assert not signed_in(site, elsewhere)
    assert not signed_in(site, before)
    # The signed-out browser sees the log-in page again, not the teacher's pages.
    mine = elsewhere.get(f"{site.base_url}/mine", allow_redirects=False)
    assert mine.status_code in (302, 303) and "/login" in mine.headers["Location"]
    assert log_in_with(site, email, NEW) == 302


def test_an_administrator_setting_a_password_signs_the_user_out_everywhere(site, teacher):
    email, user_id = teacher
    first, second = login(site.base_url, email), login(site.base_url, email)
    admin = login(site.base_url, "admin@example.cn")
    token = csrf_from(admin.get(f"{site.base_url}/admin/people").text)
    answer = admin.post(
        f"{site.base_url}/admin/people/{user_id}/password",
        data={"password": NEW, "csrf_token": token},
        allow_redirects=False,
    )
    assert answer.status_code in (302, 303)
    assert not signed_in(site, first) and not signed_in(site, second)
    assert signed_in(site, admin)  # the administrator's own session is not touched
    assert log_in_with(site, email, PASSWORD) == 401
    assert log_in_with(site, email, NEW) == 302


def test_a_password_set_through_the_api_with_a_token_ends_every_session(site, teacher):
    email, user_id = teacher
    browser = login(site.base_url, email)
    answer = requests.post(
        f"{site.base_url}/api/v1/users/{user_id}/password",
        json={"password": NEW},
        headers={"Authorization": f"Bearer {site.admin_token}"},
    )
    assert answer.status_code == 204
    assert not signed_in(site, browser)


def test_a_session_ended_by_a_disable_stays_ended_after_enable(site, teacher):
    email, user_id = teacher
    browser = login(site.base_url, email)
    admin = {"Authorization": f"Bearer {site.admin_token}"}
    url = f"{site.base_url}/api/v1/users/{user_id}/actions"
    assert requests.post(f"{url}/disable", headers=admin).status_code == 200
    assert not signed_in(site, browser)
    assert requests.post(f"{url}/enable", headers=admin).status_code == 200
    assert not signed_in(site, browser)
    assert signed_in(site, login(site.base_url, email))


def test_a_wrong_current_password_changes_nothing(site, teacher):
    email, user_id = teacher
    here, elsewhere = login(site.base_url, email), login(site.base_url, email)
    token = meta_token(here.get(f"{site.base_url}/mine").text)
    answer = here.post(
        f"{site.base_url}/api/v1/users/{user_id}/password",
        json={"password": NEW, "current_password": "not the password"},
        headers={"X-CSRF-Token": token},
    )
    assert answer.status_code == 401
    assert signed_in(site, here) and signed_in(site, elsewhere)
