"""A campus OpenID Connect provider for the tests: django-oauth-toolkit with OIDC on (RS256
ID tokens, its JWKS), run by tests/sso/servers.py in its own process on loopback. The claims it
releases come from a JSON file the test writes (DOT_CLAIMS_FILE)."""

import os
from pathlib import Path

SECRET_KEY = "dot-oidc-test-server"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "tests.sso.dot_site.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["DOT_DB"]}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
LOGIN_URL = "/login/"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": Path(os.environ["DOT_RSA_KEY_FILE"]).read_text(),
    "OAUTH2_VALIDATOR_CLASS": "tests.sso.dot_site.claims.CampusValidator",
    "SCOPES": {"openid": "OpenID", "profile": "Profile", "email": "E-mail", "phone": "Phone"},
    "PKCE_REQUIRED": True,
}
