"""我的数据: a person finds everything they submitted, by service, period and any form value;
nobody sees another's; the page costs the same queries for 1 and 50 requests."""

import io

import pytest

from tests.chains import FINANCE

URL = "/research/history/"


@pytest.fixture
def history(make_chain, submit, people):
    first = make_chain([FINANCE], code="travel-claim")
    second = make_chain([FINANCE], code="room-booking")
    return [
        submit(first, amount="1234.50"),
        submit(second, amount="88"),
        submit(first, applicant=people["hank"], amount="777"),
    ]


def numbers(html, reqs):
    return [r.number for r in reqs if r.number in html]


def test_a_person_sees_only_their_own_requests(client, history, people):
    client.force_login(people["alice"])
    html = client.get(URL).content.decode()
    assert numbers(html, history) == [history[0].number, history[1].number]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        pytest.param({"service": "room-booking"}, [1], id="by-service"),
        pytest.param({"q": "1234.5"}, [0], id="by-a-form-value"),
        pytest.param({"q": "张爱丽"}, [0, 1], id="by-a-chinese-form-value"),
        pytest.param({"date_from": "2000-01-01", "date_to": "2000-12-31"}, [], id="by-period"),
    ],
)
def test_the_history_is_searchable(client, history, people, query, found):
    client.force_login(people["alice"])
    html = client.get(URL, query).content.decode()
    assert sorted(numbers(html, history)) == sorted(history[i].number for i in found)


def test_the_history_exports_to_excel(client, history, people):
    from openpyxl import load_workbook

    client.force_login(people["alice"])
    response = client.get(URL, {"format": "xlsx"})
    rows = list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    assert sorted(r[0] for r in rows[1:]) == sorted([history[0].number, history[1].number])


@pytest.mark.parametrize("n", [1, 50])
def test_the_history_costs_the_same_queries_for_1_and_50(
    client, make_chain, submit, people, django_assert_num_queries, n
):
    service = make_chain([FINANCE])
    for _ in range(n):
        submit(service)
    client.force_login(people["alice"])
    client.get(URL)
    # user, count, page, the header's unread messages
    with django_assert_num_queries(3):
        assert client.get(URL).status_code == 200
