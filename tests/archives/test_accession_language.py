"""The accession form names departments in the archivist's language."""

from django.conf import settings
from django.urls import reverse


def test_the_english_accession_page_lists_departments_in_english(
    client, fonds, archivist, school, research_dept
):
    # given an archivist reading in English
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(archivist)

    # when the accession form opens
    html = client.get(reverse("archives:accession")).content.decode()

    # then its department choices are the English names
    assert f'<option value="{school.pk}">School of Computer Science</option>' in html
    assert f'<option value="{research_dept.pk}">Research</option>' in html
    assert "计算机学院" not in html and "科学研究院" not in html


def test_the_chinese_accession_page_lists_departments_in_chinese(client, fonds, archivist, school):
    # given an archivist reading in Chinese (the default)
    client.force_login(archivist)

    # when
    html = client.get(reverse("archives:accession")).content.decode()

    # then
    assert f'<option value="{school.pk}">计算机学院</option>' in html
