import json

import pytest

from tests.sso.servers import DjangoSite


class MamaCAS:
    """django-mama-cas on loopback: people with passwords, attributes written by the test."""

    def __init__(self, site: DjangoSite, attributes_file):
        self.site = site
        self.url = site.url + "/cas/"
        self.attributes_file = attributes_file

    def person(self, username: str, password: str = "pw", **attributes) -> None:
        people = json.loads(self.attributes_file.read_text(encoding="utf-8"))
        if username not in people:
            self.site.manage(
                "shell",
                "-c",
                "from django.contrib.auth.models import User;"
                f"User.objects.create_user({username!r}, password={password!r})",
            )
        people[username] = attributes
        self.attributes_file.write_text(json.dumps(people, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="session")
def mama_cas(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mama-cas")
    attributes_file = folder / "attributes.json"
    attributes_file.write_text("{}", encoding="utf-8")
    site = DjangoSite(
        "tests.sso.mama_site.settings",
        {"MAMA_DB": str(folder / "cas.sqlite3"), "MAMA_ATTRIBUTES_FILE": str(attributes_file)},
    )
    site.manage("migrate", "--noinput", "-v", "0")
    site.start()
    yield MamaCAS(site, attributes_file)
    site.stop()


@pytest.fixture
def wecom(settings):
    """The hall as an enterprise WeChat app, against tests/sso/wecom_server.py on loopback."""
    from django.core.cache import cache

    from tests.sso.wecom_server import FakeWeCom

    server = FakeWeCom().start()
    settings.HALL_WECOM_CORP_ID = server.corp_id
    settings.HALL_WECOM_AGENT_ID = "1000002"
    settings.HALL_WECOM_SECRET = server.secret
    settings.HALL_WECOM_API_URL = server.url
    settings.HALL_WECOM_OAUTH_URL = server.url + "/connect/oauth2/authorize"
    cache.delete(f"hall:wecom:token:{server.corp_id}:1000002")
    yield server
    server.stop()
    cache.delete(f"hall:wecom:token:{server.corp_id}:1000002")


class OIDCProvider:
    """django-oauth-toolkit as an OpenID Connect provider on loopback."""

    client_id, client_secret = "hall", "hall-client-secret"

    def __init__(self, site: DjangoSite, claims_file):
        self.site = site
        self.url = site.url
        self.claims_file = claims_file

    def person(self, username: str, password: str = "pw", **claims) -> None:
        people = json.loads(self.claims_file.read_text(encoding="utf-8"))
        if username not in people:
            self.site.manage(
                "shell",
                "-c",
                "from django.contrib.auth.models import User;"
                f"User.objects.create_user({username!r}, password={password!r})",
            )
        people[username] = claims
        self.claims_file.write_text(json.dumps(people, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    folder = tmp_path_factory.mktemp("dot-oidc")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = folder / "oidc.key"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    claims_file = folder / "claims.json"
    claims_file.write_text("{}", encoding="utf-8")
    site = DjangoSite(
        "tests.sso.dot_site.settings",
        {
            "DOT_DB": str(folder / "oidc.sqlite3"),
            "DOT_RSA_KEY_FILE": str(key_file),
            "DOT_CLAIMS_FILE": str(claims_file),
        },
    )
    site.manage("migrate", "--noinput", "-v", "0")
    site.manage(
        "shell",
        "-c",
        "from oauth2_provider.models import Application;"
        "Application.objects.create(name='hall', client_id='hall',"
        f" client_secret={OIDCProvider.client_secret!r}, client_type='confidential',"
        " authorization_grant_type='authorization-code',"
        " redirect_uris='http://testserver/accounts/oidc/callback/', algorithm='RS256',"
        " skip_authorization=True)",
    )
    site.start()
    yield OIDCProvider(site, claims_file)
    site.stop()
