"""hall.caching.read_through(version="v"): a value under a key that names it for good is kept in
the process too, for its TTL, a bounded number of keys."""

import time

import time_machine
from django.core.cache import cache

from hall import caching


def counted(value):
    calls = []

    def read():
        calls.append(1)
        return value

    return read, calls


def test_a_value_kept_here_is_read_without_the_cache():
    read, calls = counted(["a", "b"])
    first = caching.read_through("t:v1:list", read, 60, version="v")
    cache.delete("t:v1:list")  # the cache no longer has it: the process still does
    again = caching.read_through("t:v1:list", read, 60, version="v")
    assert again is first and calls == [1]
    # without here, the cache is asked (and it misses, so the value is read again)
    cache.delete("t:v1:list")
    caching.read_through("t:v1:list", read, 60)
    assert calls == [1, 1]


def test_a_value_read_by_another_process_is_taken_from_the_cache_once():
    cache.set("t:v2:x", "from another process", 60)
    read, calls = counted("mine")
    assert caching.read_through("t:v2:x", read, 60, version="v") == "from another process"
    cache.delete("t:v2:x")
    assert caching.read_through("t:v2:x", read, 60, version="v") == "from another process"
    assert calls == []


def test_what_is_kept_here_ends_with_its_ttl():
    read, calls = counted("v")
    with time_machine.travel(time.time(), tick=False) as traveller:
        caching.read_through("t:v3:x", read, 60, version="v")
        cache.delete("t:v3:x")
        traveller.shift(59)
        caching.read_through("t:v3:x", read, 60, version="v")
        assert calls == [1]
        traveller.shift(2)
        cache.delete("t:v3:x")
        caching.read_through("t:v3:x", read, 60, version="v")
        assert calls == [1, 1]


def test_the_process_keeps_a_bounded_number_of_keys_the_oldest_used_go_first():
    for n in range(caching.HERE_SIZE):
        caching.read_through(f"t:v4:{n}", lambda n=n: n, 60, version="v")
    caching.read_through("t:v4:0", lambda: "read again", 60, version="v")  # used: now newest
    caching.read_through("t:v4:new", lambda: "new", 60, version="v")
    assert len(caching._here) == caching.HERE_SIZE
    assert "t:v4:0" in caching._here and "t:v4:1" not in caching._here
    assert caching.read_through("t:v4:0", lambda: "read again", 60, version="v") == 0


def test_nothing_is_kept_here_when_the_cache_fails(monkeypatch):
    def fail(*args, **kwargs):
        raise ConnectionError("cache away")

    monkeypatch.setattr(cache, "get", fail)
    read, calls = counted("v")
    caching.read_through("t:v5:x", read, 60, version="v")
    caching.read_through("t:v5:x", read, 60, version="v")
    assert calls == [1, 1] and "t:v5:x" not in caching._here


def test_nothing_is_kept_here_without_a_version():
    read, calls = counted("v")
    caching.read_through("t::x", read, 60, version="")
    cache.delete("t::x")
    caching.read_through("t::x", read, 60, version="")
    assert calls == [1, 1] and "t::x" not in caching._here
