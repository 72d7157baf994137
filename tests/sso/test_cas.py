"""Sign-in through the campus CAS: django-mama-cas (CAS 3.0, /p3/serviceValidate with
attributes) runs in a second process on loopback; the hall is django-cas-ng against it."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django_cas_ng.models import SessionTicket

from hall.models import Identity, SignInEvent, User


@pytest.fixture
def cas_on(settings, mama_cas):
    settings.HALL_CAS_SERVER_URL = mama_cas.url
    settings.CAS_SERVER_URL = mama_cas.url
    settings.HALL_SSO_MATCH_ATTRIBUTE = "employeeNumber"
    settings.HALL_SSO_CREATE_USERS = True
    return mama_cas


def cas_round_trip(client, mama_cas, username: str, password: str = "pw", next_url: str = ""):
    """The person opens the hall's CAS login, signs in on the CAS page, comes back with a
    ticket; returns the hall's answer to the ticket."""
    # given the hall sends the browser to the CAS server
    start = "/accounts/cas/login/" + (f"?next={next_url}" if next_url else "")
    to_cas = client.get(start)
    assert to_cas.status_code == 302
    assert to_cas["Location"].startswith(mama_cas.url + "login")
    # when the person signs in there
    browser = requests.Session()
    page = browser.get(to_cas["Location"], timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    back = browser.post(
        page.url,
        data={"csrfmiddlewaretoken": token, "username": username, "password": password},
        headers={"Referer": page.url},
        allow_redirects=False,
        timeout=10,
    )
    assert back.status_code == 302, back.text[:500]
    service = urlsplit(back.headers["Location"])
    assert "ticket" in parse_qs(service.query)
    # then the hall checks the ticket with the CAS server
    return client.get(f"{service.path}?{service.query}")


def test_first_login_creates_the_person_with_mapped_attributes_and_keeps_next(
    client, cas_on, school, db
):
    cas_on.person(
        "t2026001",
        employeeNumber="T2026001",
        cn="陈静",
        department="school-cs",
        identity="教职工",
        title="副教授",
        mobile="13800000001",
        mail="chenjing@example.edu",
    )

    answer = cas_round_trip(client, cas_on, "t2026001", next_url="/requests/")

    assert answer.status_code == 302
    assert answer["Location"] == "/requests/"
    person = User.objects.get(number="T2026001")
    assert (person.full_name, person.department, person.identity) == (
        "陈静",
        school,
        Identity.STAFF,
    )
    assert (person.title, person.phone, person.email) == (
        "副教授",
        "13800000001",
        "chenjing@example.edu",
    )
    assert not person.has_usable_password()
    assert client.get("/requests/").status_code == 200
    event = SignInEvent.objects.get()
    assert (event.method, event.outcome, event.user) == ("cas", "created", person)


def test_the_second_login_updates_the_profile(client, cas_on, alice):
    cas_on.person("alice-cas", employeeNumber="T001", cn="张爱丽", title="教授", mobile="111")
    cas_round_trip(client, cas_on, "alice-cas")
    client.logout()
    cas_on.person("alice-cas", employeeNumber="T001", cn="张爱丽", title="讲席教授", mobile="222")

    answer = cas_round_trip(client, cas_on, "alice-cas")

    assert answer.status_code == 302
    alice.refresh_from_db()
    assert (alice.title, alice.phone) == ("讲席教授", "222")
    assert User.objects.filter(number="T001").count() == 1
    assert list(SignInEvent.objects.values_list("outcome", flat=True)) == [
        "signed_in",
        "signed_in",
    ]


def test_a_person_marked_as_left_is_refused_with_a_message_and_no_session(client, cas_on, alice):
    cas_on.person("alice-left", employeeNumber="T001", cn="张爱丽", status="离职")

    answer = cas_round_trip(client, cas_on, "alice-left", next_url="/requests/")

    assert answer.status_code == 403
    assert "left the institution" in answer.content.decode() or "离开" in answer.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/requests/").status_code == 302
    event = SignInEvent.objects.get()
    assert (event.outcome, event.user) == ("refused", alice)


def test_a_refused_ticket_gives_a_message_and_no_session(client, cas_on, db):
    answer = client.get("/accounts/cas/login/?next=/requests/&ticket=ST-1-forged-ticket")

    assert answer.status_code == 403
    assert "_auth_user_id" not in client.session
    assert SignInEvent.objects.get().outcome == "refused"


def test_an_unknown_person_is_refused_when_the_institution_does_not_allow_new_accounts(
    client, cas_on, settings, db
):
    settings.HALL_SSO_CREATE_USERS = False
    cas_on.person("stranger", employeeNumber="X999", cn="路人")

    answer = cas_round_trip(client, cas_on, "stranger")

    assert answer.status_code == 403
    assert not User.objects.filter(number="X999").exists()
    assert SignInEvent.objects.get().identifier == "X999"


def test_a_foreign_next_is_dropped(client, cas_on, db):
    cas_on.person("t2026002", employeeNumber="T2026002", cn="周明")

    answer = cas_round_trip(client, cas_on, "t2026002", next_url="https://evil.example/")

    assert answer.status_code == 302
    assert answer["Location"] == "/"


SLO = """<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
  xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="LR-1" Version="2.0"
  IssueInstant="2026-12-02T08:00:00Z">
  <saml:NameID>@NOT_USED@</saml:NameID>
  <samlp:SessionIndex>{ticket}</samlp:SessionIndex>
</samlp:LogoutRequest>"""


def test_single_logout_from_the_cas_server_ends_the_hall_session(client, cas_on, alice):
    cas_on.person("alice-slo", employeeNumber="T001", cn="张爱丽")
    answer = cas_round_trip(client, cas_on, "alice-slo")
    assert answer.status_code == 302
    ticket = SessionTicket.objects.get()
    assert client.get("/requests/").status_code == 200

    # when the CAS server posts its logoutRequest (CAS protocol 3.0, section 2.3.3)
    server = type(client)()
    server.post("/accounts/cas/login/", {"logoutRequest": SLO.format(ticket=ticket.ticket)})

    # then the browser's session in the hall is gone
    assert client.get("/requests/").status_code == 302


def test_logging_out_of_a_cas_session_logs_out_of_cas_too(client, cas_on, alice):
    cas_on.person("alice-out", employeeNumber="T001", cn="张爱丽")
    cas_round_trip(client, cas_on, "alice-out")

    answer = client.post("/accounts/logout/")

    assert answer.status_code == 302
    assert answer["Location"].startswith(cas_on.url + "logout")
    assert "_auth_user_id" not in client.session


def test_the_login_page_offers_the_campus_sign_in_first_when_cas_is_on(client, cas_on, db):
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/accounts/login/?next=/requests/").content.decode()

    assert "统一身份认证登录" in page
    assert page.index("统一身份认证登录") < page.index('name="password"')
    assert "/accounts/cas/login/?next=%2Frequests%2F" in page


def test_with_cas_off_its_pages_do_not_exist_and_the_login_page_is_as_before(client, db):
    assert client.get("/accounts/cas/login/").status_code == 404
    page = client.get("/accounts/login/").content.decode()
    assert "统一身份认证登录" not in page
    assert 'name="password"' in page


def test_single_logout_sent_by_the_real_cas_server_ends_the_hall_session(
    transactional_db, live_server, cas_on, alice
):
    """The whole round trip in one browser (requests): the hall as a live server, so that
    django-mama-cas can post its logoutRequest to it when the person logs out of CAS."""
    cas_on.person("alice-live", employeeNumber="T001", cn="张爱丽")
    browser = requests.Session()
    hall = live_server.url.replace("127.0.0.1", "localhost")

    # given alice signed in to the hall through CAS
    page = browser.get(f"{hall}/accounts/cas/login/?next=/requests/", timeout=10)
    assert page.url.startswith(cas_on.url + "login")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    landed = browser.post(
        page.url,
        data={"csrfmiddlewaretoken": token, "username": "alice-live", "password": "pw"},
        headers={"Referer": page.url},
        timeout=30,
    )
    assert landed.url == f"{hall}/requests/"
    assert browser.get(f"{hall}/requests/", allow_redirects=False, timeout=10).status_code == 200

    # when she logs out at the CAS server (which tells every service she used)
    browser.get(cas_on.url + "logout", timeout=30)

    # then her hall session is gone too
    assert browser.get(f"{hall}/requests/", allow_redirects=False, timeout=10).status_code == 302
