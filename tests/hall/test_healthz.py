import pytest
from django.urls import reverse


def test_healthz_is_200_when_database_cache_and_broker_answer(client, db):
    response = client.get(reverse("healthz"))
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["cache"] == "ok"
    assert body["broker"] in {"ok", "in-process"}


@pytest.fixture
def closed_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_is_503_when_the_cache_is_down(client, db, settings, closed_port):
    settings.CACHES = {
        "default": {**settings.HALL_REDIS_CACHE, "LOCATION": f"redis://127.0.0.1:{closed_port}/0"}
    }
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["cache"].startswith("error")


def test_healthz_is_503_when_the_broker_is_down(client, db, settings, closed_port):
    from hall.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    old = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{closed_port}/0"
    try:
        response = client.get(reverse("healthz"))
    finally:
        app.conf.broker_url = old
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


def test_healthz_reports_a_real_broker(client, db, settings):
    if not settings.CELERY_BROKER_URL:
        pytest.skip("no broker configured (set REDIS_URL)")
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


@pytest.mark.django_db
def test_the_pages_answer_when_the_cache_is_down(client, settings, closed_port, alice, areas):
    # given: the production cache (django-redis), its Redis gone; a person signed in before
    settings.CACHES = {
        "default": {**settings.HALL_REDIS_CACHE, "LOCATION": f"redis://127.0.0.1:{closed_port}/0"}
    }
    client.force_login(alice)
    pages = [
        reverse("hall:home"),
        reverse("hall:service-list") + "?q=报销",
        reverse("hall:notifications"),
        reverse("workflows:inbox"),
        reverse("workflows:my-requests"),
    ]
    # when
    answers = {url: client.get(url).status_code for url in pages}
    # then: every page is served from the database, the person still signed in
    assert answers == dict.fromkeys(pages, 200)
    assert client.get(reverse("healthz")).status_code == 503
