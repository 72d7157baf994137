"""Sign-in through OpenID Connect: django-oauth-toolkit runs as the campus provider in a second
process on loopback; the hall is mozilla-django-oidc against it (code flow with PKCE, the ID
token signed RS256 and checked against the provider's JWKS)."""

import json
import re
from urllib.parse import parse_qs, urlsplit

import mozilla_django_oidc.auth as oidc_auth
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from hall.models import SignInEvent, User


@pytest.fixture
def oidc_on(settings, oidc_provider):
    base = oidc_provider.url + "/o/"
    settings.OIDC_RP_CLIENT_ID = oidc_provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = oidc_provider.client_secret
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = base + "authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = base + "token/"
    settings.OIDC_OP_USER_ENDPOINT = base + "userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = base + ".well-known/jwks.json"
    settings.HALL_SSO_MATCH_ATTRIBUTE = "employee_number"
    settings.HALL_SSO_ATTRIBUTES = (
        "full_name=name,department=department,title=title,phone=phone_number,email=email"
    )
    settings.HALL_SSO_CREATE_USERS = True
    settings.OIDC_RP_SCOPES = "openid profile email phone"
    return oidc_provider


def provider_round_trip(client, provider, username, next_url=""):
    """To the provider, signed in there, back with code and state; returns the callback URL."""
    start = "/accounts/oidc/login/" + (f"?next={next_url}" if next_url else "")
    to_provider = client.get(start)
    assert to_provider.status_code == 302
    authorize = to_provider["Location"]
    assert authorize.startswith(provider.url + "/o/authorize/")
    assert "code_challenge=" in authorize
    browser = requests.Session()
    login_page = browser.get(authorize, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text).group(1)
    nxt = re.search(r'name="next" value="([^"]+)"', login_page.text).group(1)
    back = browser.post(
        login_page.url,
        data={
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": "pw",
            "next": nxt.replace("&amp;", "&"),
        },
        headers={"Referer": login_page.url},
        timeout=10,
        allow_redirects=False,
    )
    assert back.status_code == 302, back.text[:300]
    to_hall = browser.get(
        provider.url + back.headers["Location"], allow_redirects=False, timeout=10
    )
    assert to_hall.status_code == 302, to_hall.text[:300]
    callback = urlsplit(to_hall.headers["Location"])
    assert {"code", "state"} <= set(parse_qs(callback.query))
    return f"{callback.path}?{callback.query}"


def test_the_code_flow_creates_the_person_with_mapped_claims_and_keeps_next(
    client, oidc_on, school
):
    oidc_on.person(
        "s2026001",
        employee_number="S2026001",
        name="孙悦",
        department="计算机学院",
        title="本科生",
        phone_number="13900000002",
        email="sunyue@example.edu",
    )

    answer = client.get(provider_round_trip(client, oidc_on, "s2026001", next_url="/requests/"))

    assert answer.status_code == 302
    assert answer["Location"] == "/requests/"
    person = User.objects.get(number="S2026001")
    assert (person.full_name, person.department, person.phone, person.email) == (
        "孙悦",
        school,
        "13900000002",
        "sunyue@example.edu",
    )
    assert client.get("/requests/").status_code == 200
    event = SignInEvent.objects.get()
    assert (event.method, event.outcome) == ("oidc", "created")


def test_the_second_sign_in_updates_the_profile(client, oidc_on, alice):
    oidc_on.person("alice-oidc", employee_number="T001", name="张爱丽", title="教授")
    client.get(provider_round_trip(client, oidc_on, "alice-oidc"))
    client.logout()
    oidc_on.person("alice-oidc", employee_number="T001", name="张爱丽", title="院长")

    client.get(provider_round_trip(client, oidc_on, "alice-oidc"))

    alice.refresh_from_db()
    assert alice.title == "院长"


def test_a_bad_state_is_refused_and_makes_no_session(client, oidc_on, db):
    oidc_on.person("t2026009", employee_number="T2026009", name="吴越")
    callback = provider_round_trip(client, oidc_on, "t2026009")
    forged = re.sub(r"state=[^&]+", "state=forged", callback)

    answer = client.get(forged)

    assert answer.status_code == 403
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(number="T2026009").exists()
    assert SignInEvent.objects.get().outcome == "refused"


def test_a_person_marked_as_left_is_refused(client, oidc_on, alice):
    oidc_on.person("alice-gone", employee_number="T001", name="张爱丽", status="left")

    answer = client.get(provider_round_trip(client, oidc_on, "alice-gone"))

    assert answer.status_code == 403
    assert "_auth_user_id" not in client.session
    event = SignInEvent.objects.get()
    assert (event.outcome, event.user) == ("refused", alice)


def test_an_id_token_signed_with_another_key_is_refused(client, oidc_on, db, monkeypatch):
    # given the JWKS the hall reads names the provider's key id with someone else's key
    oidc_on.person("t2026010", employee_number="T2026010", name="郑和")
    callback = provider_round_trip(client, oidc_on, "t2026010")
    real = requests.get(oidc_on.url + "/o/.well-known/jwks.json", timeout=10).json()["keys"][0]
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    forged = {
        **real,
        **{k: v for k, v in json.loads(RSAAlgorithm.to_jwk(other)).items() if k in ("n", "e")},
    }
    real_get = oidc_auth.requests.get

    class Answer:
        def json(self):
            return {"keys": [forged]}

        def raise_for_status(self):
            pass

    def get(url, *args, **kwargs):
        if url.endswith("jwks.json"):
            return Answer()
        return real_get(url, *args, **kwargs)

    monkeypatch.setattr(oidc_auth.requests, "get", get)

    # when the provider's real ID token comes back
    answer = client.get(callback)

    # then its signature does not verify: no one is signed in or made
    assert answer.status_code == 403
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(number="T2026010").exists()
