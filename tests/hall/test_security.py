"""What the hall does against an attacker at the login and in the browser, and how it runs.

Login throttling (django-axes) per account and per client address, the same cost for every
failed login, the Content-Security-Policy with its nonce, Permissions-Policy, private pages
that no cache keeps, the hall's own error pages, and the settings of the embedded run.
"""

import base64
import hashlib
import html
import os
import re
import runpy
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.defaults import permission_denied

from hall.settings import secret_key_from_file
from tests.chains import HEAD
from tests.workflows.test_pages import approved, object_urls  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/accounts/login/"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def log_in(client: Client, login: str, password: str, address: str = "127.0.0.1"):
    return client.post(LOGIN, {"username": login, "password": password}, REMOTE_ADDR=address)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- login throttling -----------------------------------------------------------------------


@pytest.mark.django_db
def test_thirty_wrong_passwords_lock_the_account_until_the_cool_off_ends(alice, settings):
    # given: one account attacked with 30 wrong passwords, each from a fresh browser
    limit = settings.AXES_FAILURE_LIMIT
    with time_machine.travel(START, tick=False) as clock:
        answers = [log_in(Client(), "alice", f"guess-{n}") for n in range(30)]

        # then: the first failures get the plain form back, the rest the lockout message
        assert [r.status_code for r in answers[: limit - 1]] == [200] * (limit - 1)
        assert all(r.status_code == 429 for r in answers[limit:])
        locked = answers[-1].content.decode()
        assert "该账号或本机登录失败次数过多" in locked
        assert re.search(r"请 1[45] 分钟后再试", locked)

        # when: the right password, during the cool-off
        client = Client()
        refused = log_in(client, "alice", "pw")
        # then: refused, and not signed in
        assert refused.status_code == 429 and not signed_in(client)

        # when: the cool-off has passed
        clock.shift(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
        client = Client()
        response = log_in(client, "alice", "pw")
        # then: the right password works again
        assert response.status_code == 302 and signed_in(client)


@pytest.mark.django_db
def test_the_lockout_message_speaks_the_readers_language(alice, settings):
    # given
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when
    for n in range(3):
        response = log_in(client, "alice", f"guess-{n}")
    # then
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many failed logins for this account or from this computer" in text
    assert 'id="id_username"' in text and 'value="alice"' in text


@pytest.mark.django_db
def test_the_user_name_and_the_staff_number_are_one_account(alice, settings):
    # given: failures typed as the user name and as the staff number, from different addresses
    settings.AXES_FAILURE_LIMIT = 4
    log_in(Client(), "alice", "x1", "10.0.0.1")
    log_in(Client(), "T001", "x2", "10.0.0.2")
    log_in(Client(), "alice", "x3", "10.0.0.3")
    log_in(Client(), "T001", "x4", "10.0.0.4")
    # when: the right password by number from yet another address
    client = Client()
    response = log_in(client, "T001", "pw", "10.0.0.5")
    # then: the account is locked however it is typed
    assert response.status_code == 429 and not signed_in(client)
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"alice"}


@pytest.mark.django_db
def test_one_address_trying_many_accounts_is_locked_out(alice, bob, gina, settings):
    # given: an address that spreads its guesses over accounts, some of them unknown
    settings.AXES_FAILURE_LIMIT = 2
    settings.HALL_LOGIN_ADDRESS_FAILURE_LIMIT = 4
    for login in ("alice", "bob", "nobody", "S999"):
        log_in(Client(), login, "guess", "10.9.9.9")
    # when: a real account with its right password from that address
    client = Client()
    response = log_in(client, "gina", "pw", "10.9.9.9")
    # then: refused; the same account from another address is let in
    assert response.status_code == 429 and not signed_in(client)
    other = Client()
    assert log_in(other, "gina", "pw", "10.1.1.1").status_code == 302 and signed_in(other)


@pytest.mark.django_db
def test_people_behind_one_address_are_not_locked_out_by_each_others_mistakes(
    alice, bob, gina, settings
):
    # given: a campus behind one NAT address; people mistype their passwords, each fewer times
    # than their account's limit but together more often than it
    settings.AXES_FAILURE_LIMIT = 3
    settings.HALL_LOGIN_ADDRESS_FAILURE_LIMIT = 7
    for login in ("alice", "alice", "bob", "bob", "nobody", "nobody"):
        log_in(Client(), login, "typo", "10.7.7.7")
    # when: someone with the right password from that address
    client = Client()
    response = log_in(client, "gina", "pw", "10.7.7.7")
    # then: let in
    assert response.status_code == 302 and signed_in(client)
    # when: one more failure there reaches the address's own limit
    log_in(Client(), "bob", "typo", "10.7.7.7")
    late = Client()
    refused = log_in(late, "alice", "pw", "10.7.7.7")
    # then: the address is locked, while alice elsewhere is let in
    assert refused.status_code == 429 and not signed_in(late)
    assert "该账号或本机登录失败次数过多" in refused.content.decode()
    away = Client()
    assert log_in(away, "alice", "pw", "10.1.1.1").status_code == 302 and signed_in(away)


@pytest.mark.django_db
def test_an_admin_sees_the_lockouts_and_lifts_one(alice, olivia, settings):
    # given: alice locked out
    settings.AXES_FAILURE_LIMIT = 3
    for n in range(3):
        log_in(Client(), "alice", f"guess-{n}")
    admin = Client()
    admin.force_login(olivia)
    # when
    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    # then: the lockout is listed, in Chinese
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "alice" in page and "已锁定" in page and "登录失败记录" in page
    # when: the admin deletes it
    AccessAttempt.objects.filter(username="alice").delete()
    # then: alice logs in at once
    client = Client()
    assert log_in(client, "alice", "pw").status_code == 302 and signed_in(client)


@pytest.mark.django_db
def test_the_test_clients_login_still_works_with_throttling_on(alice):
    # given
    client = Client()
    # when / then
    assert client.login(username="alice", password="pw") is True
    assert client.login(username="T001", password="pw") is True
    assert client.login(username="alice", password="wrong") is False


# --- the timing leak --------------------------------------------------------------------------


@pytest.fixture
def hasher_runs():
    """Counts the password hasher's runs (MD5 in tests; every hasher's verify encodes once)."""
    real = MD5PasswordHasher.encode
    with mock.patch.object(MD5PasswordHasher, "encode", autospec=True, side_effect=real) as spy:
        yield spy


@pytest.mark.django_db
@pytest.mark.parametrize(
    "login, password",
    [
        ("T001", "wrong"),
        ("alice", "wrong"),
        ("nobody", "wrong"),
        ("S999", "wrong"),
        ("quitter", "pw"),
    ],
    ids=[
        "existing-number",
        "existing-name",
        "unknown-name",
        "unknown-number",
        "inactive-account",
    ],
)
def test_every_failed_login_runs_the_password_hasher_exactly_once(
    alice, django_user_model, hasher_runs, login, password
):
    # given
    django_user_model.objects.create_user("quitter", password="pw", is_active=False)
    hasher_runs.reset_mock()
    client = Client()
    # when
    response = log_in(client, login, password)
    # then: refused, at the cost of one hash whatever was typed
    assert response.status_code == 200 and not signed_in(client)
    assert hasher_runs.call_count == 1


@pytest.mark.django_db
@pytest.mark.parametrize("login", ["alice", "T001"], ids=["by-name", "by-number"])
def test_a_right_login_also_runs_the_hasher_once(alice, hasher_runs, login):
    client = Client()
    assert log_in(client, login, "pw").status_code == 302 and signed_in(client)
    assert hasher_runs.call_count == 1


# --- Content-Security-Policy ------------------------------------------------------------------


class Scripts(HTMLParser):
    """The <script> tags of a page and any inline event handler (onclick=…)."""

    def __init__(self):
        super().__init__()
        self.inline: list[dict] = []
        self.external: list[dict] = []
        self.handlers: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.handlers += [(tag, name) for name, _ in attrs if name.startswith("on")]
        if tag != "script":
            return
        # A data block (type="application/json") is not run, so the policy does not apply.
        if attributes.get("type", "text/javascript") not in ("text/javascript", "module", ""):
            return
        (self.external if attributes.get("src") else self.inline).append(attributes)


def nonce_of(response) -> str | None:
    policy = response["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    found = re.search(r"'nonce-([^']+)'", script_src)
    return found.group(1) if found else None


def scripts_of(response) -> Scripts:
    parser = Scripts()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def pages(approved, people, olivia):  # noqa: F811 (the imported fixture)
    """Every kind of page, with who opens it."""
    urls = object_urls(approved)
    service = approved.service
    return [
        (None, reverse("hall:home")),
        (None, reverse("hall:service-list")),
        (None, service.get_absolute_url()),
        (None, reverse("login")),
        (people["alice"], reverse("workflows:apply", args=[service.code])),
        (people["alice"], urls["request"]),
        (people["alice"], reverse("hall:notifications")),
        (people["hank"], urls["task"]),
        (people["hank"], reverse("workflows:inbox")),
        (olivia, reverse("admin:index")),
        (olivia, reverse("admin:hall_service_changelist")),
        (olivia, reverse("admin:hall_service_change", args=[service.pk])),
        (olivia, reverse("admin:hall_service_export")),
        (olivia, reverse("admin:axes_accessattempt_changelist")),
    ]


def test_every_page_has_a_policy_and_every_inline_script_its_nonce(pages):
    for user, url in pages:
        # given
        client = Client()
        if user:
            client.force_login(user)
        # when
        response = client.get(url)
        # then
        assert response.status_code == 200, url
        nonce = nonce_of(response)
        found = scripts_of(response)
        assert found.inline or found.external, url
        for script in found.inline:
            assert nonce and script.get("nonce") == nonce, (url, script)
        if not url.startswith("/admin/"):
            # The hall's own pages (base.html) carry the nonce for any inline script, and
            # run no script from an attribute (the policy would block it).
            assert nonce, url
            assert found.handlers == [], (url, found.handlers)


def test_the_policy_allows_scripts_only_from_the_hall_and_styles_inline(client, db):
    # when
    policy = client.get(reverse("hall:home"))["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
    # then
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert "'unsafe-inline'" in directives["style-src"]


def test_the_export_dialogs_one_inline_handler_is_allowed_by_its_hash(client, olivia):
    # given: import-export's select-all box runs its handler from an attribute
    client.force_login(olivia)
    page = client.get(reverse("admin:hall_service_export"))
    handlers = re.findall(rb'onchange="([^"]+)"', page.content)
    # then: every such handler is covered by a hash in the policy
    policy = page["Content-Security-Policy"]
    for handler in handlers:
        digest = base64.b64encode(hashlib.sha256(handler).digest()).decode()
        assert f"'sha256-{digest}'" in policy and "'unsafe-hashes'" in policy


def test_the_hall_script_carries_the_confirmations_the_templates_ask_for(
    client, make_chain, submit, people
):
    # given: alice's open request, with its withdraw button
    req = submit(make_chain([HEAD]))
    client.force_login(people["alice"])
    # when
    page = client.get(req.get_absolute_url()).content.decode()
    # then: the question sits in data-confirm, answered by the hall's script
    with translation.override("zh-hans"):
        question = html.escape(gettext("Withdraw this request?"))
    assert f'data-confirm="{question}"' in page
    assert "onsubmit" not in page
    assert "data-confirm" in (ROOT / "static/hall/hall.js").read_text()


# --- Permissions-Policy and Cache-Control -------------------------------------------------------


def test_every_page_turns_off_the_browser_features_the_hall_does_not_use(client, db):
    response = client.get(reverse("hall:home"))
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def cache_directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


def test_private_pages_and_downloads_are_never_stored(approved, people, olivia):  # noqa: F811
    # given
    urls = object_urls(approved)
    alice = Client()
    alice.force_login(people["alice"])
    hank = Client()
    hank.force_login(people["hank"])
    archivist = Client()
    archivist.force_login(olivia)
    answers = {
        "request": alice.get(urls["request"]),
        "progress": alice.get(urls["progress"]),
        "attachment": alice.get(urls["attachment"]),
        "pdf": alice.get(urls["pdf"]),
        "notifications": alice.get(reverse("hall:notifications")),
        "task": hank.get(urls["task"]),
        "records": archivist.get(reverse("archives:record-list")),
        "excel": archivist.get(reverse("archives:statistics"), {"format": "xlsx"}),
    }
    # then
    for name, response in answers.items():
        assert response.status_code == 200, name
        assert {"private", "no-store"} <= cache_directives(response), name
    assert answers["pdf"]["Content-Type"] == "application/pdf"
    assert answers["excel"]["Content-Type"].startswith("application/vnd.openxmlformats")


def test_static_files_stay_cacheable_for_a_signed_in_person(client, alice, settings):
    # given: static files served by WhiteNoise, as in the embedded run
    settings.WHITENOISE_USE_FINDERS = True
    client.force_login(alice)
    # when
    response = client.get(f"/{settings.STATIC_URL.strip('/')}/hall/hall.css")
    # then
    assert response.status_code == 200
    assert not {"private", "no-store"} & cache_directives(response)


def test_anonymous_public_pages_are_not_marked_private(client, db):
    response = client.get(reverse("hall:home"))
    assert "no-store" not in cache_directives(response)


# --- the hall's own error pages -----------------------------------------------------------------


@pytest.mark.parametrize(
    "language, heading, home",
    [("zh-hans", "页面不存在", "返回首页"), ("en", "Page not found", "Back to the home page")],
)
def test_a_missing_page_shows_the_halls_404_in_the_readers_language(
    client, db, settings, language, heading, home
):
    # given: DEBUG off, as in the embedded run
    settings.DEBUG = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    # when
    response = client.get("/no-such-page/")
    # then: the hall's page, in its look, with no list of the URL patterns
    assert response.status_code == 404
    text = response.content.decode()
    assert heading in text and home in text
    assert 'class="site-header"' in text
    assert "URLconf" not in text and "urlpatterns" not in text
    assert response["Content-Language"] == language


@pytest.mark.parametrize("language, heading", [("zh-hans", "无权访问"), ("en", "Not allowed")])
def test_a_refusal_shows_the_halls_403(db, language, heading):
    # given
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    # when
    with translation.override(language):
        response = permission_denied(request, PermissionDenied())
    # then
    assert response.status_code == 403
    text = response.content.decode()
    assert heading in text and 'class="site-header"' in text


@pytest.mark.parametrize(
    "language, heading", [("zh-hans", "出错了"), ("en", "Something went wrong")]
)
def test_the_500_page_renders_with_no_request_at_all(language, heading):
    # when: as Django renders it, with no request and no context processors
    with translation.override(language):
        text = render_to_string("500.html")
    # then
    assert heading in text and "hall.css" in text and f'lang="{language}"' in text
    assert "<script" not in text


@pytest.mark.parametrize(
    "language, heading", [("zh-hans", "表单已失效"), ("en", "The form has expired")]
)
def test_a_form_sent_without_its_csrf_token_gets_the_halls_page(db, settings, language, heading):
    # given: a browser whose form lost its token
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    # when
    response = client.post(LOGIN, {"username": "alice", "password": "pw"})
    # then
    assert response.status_code == 403
    text = response.content.decode()
    assert heading in text and 'class="site-header"' in text


# --- the embedded run: DEBUG off, a key of its own ----------------------------------------------


def test_a_secret_key_is_made_once_readable_by_its_owner_only(tmp_path):
    # given
    path = tmp_path / "data" / "secret_key"
    # when
    first = secret_key_from_file(path)
    second = secret_key_from_file(path)
    # then
    assert first == second and len(first) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(path.parent.iterdir()) == [path], "no temporary file left behind"


def test_a_kept_key_is_reused_as_it_is(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("kept-key-of-this-install\n")
    assert secret_key_from_file(path) == "kept-key-of-this-install"


def settings_under(monkeypatch, tmp_path, **env) -> dict:
    for name in ("DJANGO_DEBUG", "DJANGO_SECRET_KEY", "HALL_STATIC_FROM_SOURCE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HALL_DATA_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "hall" / "settings.py"))


def test_the_embedded_run_has_debug_off_plain_http_and_its_own_key(monkeypatch, tmp_path):
    # when: no DJANGO_DEBUG, no DJANGO_SECRET_KEY (make run)
    s = settings_under(monkeypatch, tmp_path)
    # then
    assert s["DEBUG"] is False
    assert s["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()
    assert s["SECURE_SSL_REDIRECT"] is False and s["SESSION_COOKIE_SECURE"] is False
    assert s["WHITENOISE_USE_FINDERS"] is True
    assert {"127.0.0.1", "localhost"} <= set(s["ALLOWED_HOSTS"])


def test_developers_switch_debug_on_and_a_deployment_gets_https(monkeypatch, tmp_path):
    developer = settings_under(monkeypatch, tmp_path, DJANGO_DEBUG="1")
    assert developer["DEBUG"] is True and developer["SECURE_SSL_REDIRECT"] is False
    deployed = settings_under(monkeypatch, tmp_path, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="k" * 60)
    assert deployed["DEBUG"] is False and deployed["SECRET_KEY"] == "k" * 60
    assert deployed["SECURE_SSL_REDIRECT"] is True and deployed["SESSION_COOKIE_SECURE"] is True
    assert deployed["WHITENOISE_USE_FINDERS"] is False


def test_the_deployment_checks_pass_with_debug_off(tmp_path):
    # given: the environment CI checks a deployment with
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "deploy-check-" + "x9" * 30,
        "DJANGO_ALLOWED_HOSTS": "hall.example.edu.cn",
        "HALL_DATA_DIR": str(tmp_path),
    }
    # The browser journeys' own switch, which a deployment must not carry.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # when
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    # then
    assert result.returncode == 0, result.stdout + result.stderr
