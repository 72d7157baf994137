"""The fast list helpers print what the template filters they replace would print."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.timesince import timesince

from hall.lists import Page, escape, url_maker

SPANS = [
    timedelta(seconds=0),
    timedelta(seconds=59),
    timedelta(minutes=1),
    timedelta(minutes=61),
    timedelta(hours=5),
    timedelta(hours=24, minutes=1),
    timedelta(days=1, hours=3),
    timedelta(days=6, hours=23, minutes=59),
    timedelta(days=7),
    timedelta(days=8, minutes=5),
    timedelta(days=13, hours=2),
    timedelta(days=27, hours=23, minutes=59, seconds=59),
    timedelta(days=28),
    timedelta(days=45, hours=4),
    timedelta(days=400),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("span", SPANS, ids=str)
def test_since_says_what_timesince_says(language, span):
    # given
    start = datetime(2026, 1, 30, 8, 15, 30, tzinfo=ZoneInfo("UTC"))
    with translation.override(language):
        page = Page()
        # when / then
        assert page.since(start, start + span) == timesince(start, start + span)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_minute_and_iso_print_as_the_date_filter(language):
    moment = datetime(2026, 12, 31, 20, 5, 7, 123456, tzinfo=ZoneInfo("UTC"))
    with translation.override(language):
        page = Page()
        # templates hand the date filter the value in the current time zone (expects_localtime)
        local = timezone.localtime(moment)
        assert page.minute(moment) == date_filter(local, "Y-m-d H:i")
        assert page.iso(moment) == date_filter(local, "c")
        assert page.minute(None) == ""


def test_url_maker_builds_the_reversed_url():
    task_url = url_maker("workflows:task-detail")
    service_url = url_maker("hall:service-detail", slug=True)
    assert task_url(42) == reverse("workflows:task-detail", args=[42])
    assert service_url("travel-abroad") == reverse("hall:service-detail", args=["travel-abroad"])


def test_escape_escapes_quotes_and_markup():
    assert escape('<a href="x">\'&') == "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;"
