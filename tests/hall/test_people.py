"""The people picker's search: by name, number, user name or pinyin, the first 20, one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from hall.models import User
from hall.people import PeopleField, PersonChoiceField

URL = "/people/search/"


@pytest.fixture
def crowd(db, school):
    make = User.objects.create_user
    zhang = make("zhangsan", password="pw", full_name="张三", number="T9001", department=school)
    make("zhangsi", password="pw", full_name="张四", number="T9002")
    make("gone", password="pw", full_name="张走", number="T9003", is_active=False)
    make("wang", password="pw", full_name="王五", number="S7001")
    return zhang


def _values(client, q):
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    return [r["value"] for r in response.json()["results"]]


def test_the_url_is_the_halls():
    assert reverse("hall:people-search") == URL


def test_anonymous_people_are_sent_to_sign_in(client, crowd):
    response = client.get(URL, {"q": "张"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_found_by_name_number_user_name_and_pinyin_active_people_only(client, crowd):
    client.force_login(crowd)
    assert _values(client, "张") == ["T9001", "T9002"]  # 张走 has left
    assert _values(client, "T900") == ["T9001", "T9002"]
    assert _values(client, "zhangs") == ["T9001", "T9002"]  # user names and pinyin
    assert _values(client, "zhangsa") == ["T9001"]
    assert _values(client, "zs") == ["T9001", "T9002"]  # the initials
    assert _values(client, "ZS") == ["T9001", "T9002"]
    assert _values(client, "王") == ["S7001"]
    assert _values(client, "nobody") == []
    label = client.get(URL, {"q": "张三"}).json()["results"][0]["label"]
    assert label.startswith("张三 · T9001 · ")


def test_found_anywhere_in_the_name_prefix_matches_first(client, crowd):
    make = User.objects.create_user
    make("u10", password="pw", full_name="王小明", number="T9010")
    make("u11", password="pw", full_name="小明远", number="T9011")
    make("u12", password="pw", full_name="三毛", number="T9012")
    client.force_login(crowd)
    assert _values(client, "三") == ["T9012", "T9001"]  # 三毛 starts with it: first
    assert _values(client, "小明") == ["T9011", "T9010"]
    assert _values(client, "明") == ["T9010", "T9011"]
    assert _values(client, "xiaoming") == ["T9011", "T9010"]  # by pinyin, from a syllable on
    assert _values(client, "xm") == ["T9011", "T9010"]  # … and by initials
    assert _values(client, "ming") == ["T9010", "T9011"]
    assert _values(client, "五") == ["S7001"]
    assert _values(client, "9010") == []  # numbers and user names: by their start only


def test_a_rename_keeps_the_pinyin(client, crowd):
    crowd.full_name = "李雷"
    crowd.save(update_fields=["full_name"])
    client.force_login(crowd)
    assert _values(client, "lilei") == ["T9001"]
    assert _values(client, "张三") == [] and _values(client, "ll") == ["T9001"]
    assert _values(client, "雷") == ["T9001"] and _values(client, "三") == []
    crowd.refresh_from_db()
    crowd.full_name = "李雷雷"
    crowd.save()
    assert _values(client, "雷雷") == ["T9001"]


@pytest.mark.parametrize("q", ["", " ", "%", "_", "\\", "'", "a" * 5000, "\x00", "张%_"])
def test_odd_queries_answer_and_never_fail(client, crowd, q):
    client.force_login(crowd)
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert client.get(URL, {"q": [q, q]}).status_code == 200
    if q in ("%", "_", "\\", "'", "张%_"):  # LIKE's wildcards are literal
        assert response.json()["results"] == []


def test_at_most_20_and_always_one_query(client, crowd):
    client.force_login(crowd)

    def count(q):
        with CaptureQueriesContext(connection) as queries:
            client.get(URL, {"q": q})
        return len(queries)

    few = count("张")
    User.objects.bulk_create(
        [User(username=f"zhao{i:02}", full_name=f"赵{i:02}", number=f"Z{i:03}") for i in range(30)]
    )
    assert len(_values(client, "zhao")) == 20
    assert _values(client, "zhao")[:2] == ["Z000", "Z001"]
    assert count("zhao") == few  # the session and user, then the search: one query


@translation.override("en")
def test_a_picked_person_is_accepted_and_an_unknown_one_refused(crowd):
    field = PersonChoiceField(label="x")
    assert field.clean("T9001") == crowd
    assert field.clean("zhangsan") == crowd
    with pytest.raises(Exception, match="Nobody has the number or user name “nobody”"):
        field.clean("nobody")
    with pytest.raises(Exception, match="Nobody has"):
        field.clean("gone")  # left the hall
    narrow = PersonChoiceField(
        label="x", allowed=User.objects.filter(number="T9002"), refusal="Not this one."
    )
    with pytest.raises(Exception, match="Not this one."):
        narrow.clean("T9001")
    several = PeopleField(label="y")
    assert several.clean("T9001, zhangsi，T9001") == [crowd, User.objects.get(username="zhangsi")]
    with pytest.raises(Exception, match="No such people: nobody"):
        several.clean("T9001, nobody")
    with pytest.raises(Exception, match="required"):
        several.clean(" , ")
    with translation.override("zh-hans"), pytest.raises(Exception, match="找不到"):
        field.clean("nobody")


def test_the_input_carries_the_search_for_the_script(crowd):
    html = PeopleField(label="y").widget.render("readers", "")
    assert 'data-people="/people/search/"' in html and "data-people-multiple" in html
    assert 'autocomplete="off"' in html
