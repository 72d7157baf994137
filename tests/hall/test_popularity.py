"""A guide's views: counted in Redis and folded into the services' popularity every minute
(hall.services.service_viewed, popularity_fold), or straight into the row without Redis."""

import logging

import pytest
from django.conf import settings

from hall import services
from hall.models import Service
from tests.real_parts import require

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def redis_cache():
    require(
        "django_redis" in settings.CACHES["default"]["BACKEND"],
        "needs Redis as the cache (set REDIS_URL)",
    )
    return services._redis()


def popularity(service: Service) -> int:
    return Service.objects.values_list("popularity", flat=True).get(pk=service.pk)


def test_views_wait_in_redis_until_the_fold(
    client, redis_cache, make_service, django_capture_on_commit_callbacks
):
    first, second = make_service(popularity=10), make_service(popularity=0)
    for _ in range(3):
        assert client.get(first.get_absolute_url()).status_code == 200
    client.get(second.get_absolute_url())
    assert (popularity(first), popularity(second)) == (10, 0)  # no row written by a view

    with django_capture_on_commit_callbacks(execute=True):
        assert services.popularity_fold() == 2
    assert (popularity(first), popularity(second)) == (13, 1)
    # folded once: the next minute has nothing to add
    with django_capture_on_commit_callbacks(execute=True):
        assert services.popularity_fold() == 0
    assert (popularity(first), popularity(second)) == (13, 1)
    assert not redis_cache.exists(services.VIEWS_KEY, services.FOLDING_KEY, services.FOLD_LOCK_KEY)


def test_a_fold_that_stopped_is_finished_by_the_next(
    redis_cache, make_service, django_capture_on_commit_callbacks
):
    service = make_service(popularity=0)
    services.service_viewed(service=service)
    # a fold renamed the views aside and its worker died before the commit: the aside hash and
    # its lock stay; views of the next minute go to a new hash
    redis_cache.rename(services.VIEWS_KEY, services.FOLDING_KEY)
    redis_cache.set(services.FOLD_LOCK_KEY, "1", ex=60)
    services.service_viewed(service=service)
    services.service_viewed(service=service)
    assert services.popularity_fold() == 0  # another fold holds the lock: nothing twice
    assert popularity(service) == 0

    redis_cache.delete(services.FOLD_LOCK_KEY)  # the lock's minute is over
    with django_capture_on_commit_callbacks(execute=True):
        services.popularity_fold()
    assert popularity(service) == 1  # the stopped fold's view, once
    with django_capture_on_commit_callbacks(execute=True):
        services.popularity_fold()
    assert popularity(service) == 3  # then the next minute's two


def test_a_fold_that_fails_keeps_the_views(redis_cache, make_service, monkeypatch):
    service = make_service(popularity=0)
    services.service_viewed(service=service)

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services.Service.objects, "filter", broken)
    with pytest.raises(RuntimeError):
        services.popularity_fold()
    monkeypatch.undo()
    assert popularity(service) == 0
    assert redis_cache.hgetall(services.FOLDING_KEY) == {str(service.pk).encode(): b"1"}


def test_without_redis_a_view_writes_its_row(client, settings, make_service):
    settings.CACHES = LOCMEM
    service = make_service(popularity=5)
    client.get(service.get_absolute_url())
    assert popularity(service) == 6
    assert services.popularity_fold() == 0


def test_redis_away_a_view_writes_its_row(client, settings, make_service, caplog):
    settings.CACHES = {
        "default": {**settings.HALL_REDIS_CACHE, "LOCATION": "redis://127.0.0.1:9/0"}
    }
    service = make_service(popularity=5)
    with caplog.at_level(logging.WARNING, logger="hall.services"):
        assert client.get(service.get_absolute_url()).status_code == 200
        assert services.popularity_fold() == 0
    assert popularity(service) == 6
    assert "written to its row" in caplog.text
