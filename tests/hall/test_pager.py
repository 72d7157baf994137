"""{% pager %} prints what the template workflows/_pager.html printed (issue #10: every list page
included it; now it is written out in Python)."""

import pytest
from django.core.paginator import Paginator
from django.template import engines
from django.utils import translation
from django.utils.safestring import mark_safe

from hall.lists import CappedPaginator

# workflows/_pager.html as it was, before {% pager %}.
OLD_PAGER = """{% load i18n %}{% if page.has_other_pages %}
<nav class="pager" aria-label="{% translate 'Pages' %}">
  {% if page.has_previous %}<a href="?{{ querystring }}{% if querystring %}&amp;{% endif %}page={{ page.previous_page_number }}" rel="prev">← {% translate "Previous" %}</a>{% endif %}
  <span>{% if page.paginator.capped %}{% blocktranslate with n=page.number total=page.paginator.num_pages %}Page {{ n }} of more than {{ total }}{% endblocktranslate %}{% else %}{% blocktranslate with n=page.number total=page.paginator.num_pages %}Page {{ n }} of {{ total }}{% endblocktranslate %}{% endif %}</span>
  {% if page.has_next %}<a href="?{{ querystring }}{% if querystring %}&amp;{% endif %}page={{ page.next_page_number }}" rel="next">{% translate "Next" %} →</a>{% endif %}
</nav>{% endif %}
"""  # noqa: E501


class _Rows(list):
    """Rows as CappedPaginator counts them (a queryset's order_by, slice and count)."""

    ordered = True

    def order_by(self, *fields):
        return self

    def __getitem__(self, index):
        found = super().__getitem__(index)
        return _Rows(found) if isinstance(index, slice) else found

    def count(self, *value):
        return super().count(*value) if value else len(self)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    "querystring", ["", "status=approved", mark_safe("tab=done&amp;q=%E6%8A%A5"), "q=<b>&x"]
)
@pytest.mark.parametrize(("rows", "number"), [(5, 1), (45, 1), (45, 2), (45, 3), (61, 4)])
def test_the_pager_tag_prints_what_the_template_printed(language, querystring, rows, number):
    old = engines["django"].from_string(OLD_PAGER)
    new = engines["django"].from_string("{% load hall_chrome %}{% pager %}")
    by_page = engines["django"].from_string("{% load hall_chrome %}{% pager other %}")
    for paginator in (
        Paginator(list(range(rows)), 20),
        CappedPaginator(_Rows(range(rows)), 20, cap=40),
    ):
        page = paginator.get_page(number)
        context = {"page": page, "querystring": querystring}
        with translation.override(language):
            printed = old.render(context)
            assert new.render(context) == printed
            assert by_page.render({"other": page, "querystring": querystring}) == printed
            if paginator.num_pages > 1:
                assert "pager" in printed
