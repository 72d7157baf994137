"""A campus CAS server for the tests: django-mama-cas, run by tests/sso/servers.py in its own
process on loopback. Its people and the attributes it releases come from a JSON file the test
writes (MAMA_ATTRIBUTES_FILE): {"user name": {"attribute": "value", ...}}."""

import os

SECRET_KEY = "mama-cas-test-server"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "mama_cas",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "tests.sso.mama_site.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
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
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["MAMA_DB"]}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
MAMA_CAS_SERVICES = [
    {
        "SERVICE": r"^http://(testserver|127\.0\.0\.1|localhost)(:\d+)?/",
        "CALLBACKS": ["tests.sso.mama_site.attributes.released"],
        "LOGOUT_ALLOW": True,
    }
]
