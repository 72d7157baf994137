"""hall.actions.act: a button's service call says what it did, or why it was refused."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from hall.actions import REFUSED, act


class Refusal(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_a_done_call_returns_its_result_and_says_so():
    # given
    request = _request()
    # when
    result = act(request, lambda: 7, lambda n: f"made {n}", refused=Refusal)
    # then
    assert result == 7
    assert [(m.level_tag, str(m)) for m in get_messages(request)] == [("success", "made 7")]


def test_a_refused_call_says_why_and_returns_refused():
    # given
    request = _request()

    def refuse():
        raise Refusal("not now")

    # when
    result = act(request, refuse, "never said", refused=Refusal)
    # then
    assert result is REFUSED
    assert [(m.level_tag, str(m)) for m in get_messages(request)] == [("error", "not now")]


def test_another_error_is_not_swallowed():
    # given
    request = _request()
    # then
    with pytest.raises(ZeroDivisionError):
        act(request, lambda: 1 / 0, "never said", refused=Refusal)
    assert list(get_messages(request)) == []
