"""Messages: one per event and recipient, the bell, the list, links that survive a login."""

import pytest
from django.core import mail
from django.urls import reverse

from hall import notifications
from hall.models import Delivery, Notification
from tests.chains import HEAD


@pytest.fixture
def arrived(make_chain, submit, people, django_capture_on_commit_callbacks, celery_eager):
    people["hank"].email = "hank@example.edu"
    people["hank"].save()
    with django_capture_on_commit_callbacks(execute=True):
        req = submit(make_chain([HEAD], name_zh="出国申请", name_en="Going abroad"))
    return req


def test_a_task_arrival_writes_one_message_and_one_mail(arrived, people):
    notes = Notification.objects.filter(recipient=people["hank"])
    assert notes.count() == 1
    note = notes.get()
    assert note.kind == "task_arrived" and note.url == arrived.tasks.get().get_absolute_url()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hank@example.edu"]
    assert "出国申请" in message.subject
    html = message.alternatives[0][0]
    assert note.get_absolute_url() in message.body and note.get_absolute_url() in html
    assert Delivery.objects.get(notification=note).status == "sent"


def test_mail_speaks_the_recipients_language(
    make_chain, submit, people, django_capture_on_commit_callbacks, celery_eager
):
    people["hank"].email, people["hank"].language = "hank@example.edu", "en"
    people["hank"].save()
    with django_capture_on_commit_callbacks(execute=True):
        submit(make_chain([HEAD], name_zh="出国申请", name_en="Going abroad"))
    assert mail.outbox[0].subject.startswith("New task: Going abroad")


def test_sending_twice_sends_once(arrived):
    delivery = Delivery.objects.get()
    assert notifications.delivery_send(key=delivery.key) == "skipped"
    assert len(mail.outbox) == 1


def test_a_mail_server_outage_delays_and_the_sweep_sends_later(
    make_chain, submit, people, settings, django_capture_on_commit_callbacks, celery_eager
):
    people["hank"].email = "hank@example.edu"
    people["hank"].save()
    settings.EMAIL_BACKEND = "tests.hall.broken_mail.Backend"
    with django_capture_on_commit_callbacks(execute=True):
        req = submit(make_chain([HEAD]))
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1 and delivery.last_error
    assert req.tasks.get().status == "pending"  # the approval chain did not wait for mail
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Delivery.objects.update(created_at=delivery.created_at.replace(year=2020))
    assert notifications.deliveries_sweep() == 1
    assert Delivery.objects.get().status == "sent" and len(mail.outbox) == 1


def test_opening_a_message_marks_it_read_and_goes_to_the_task(client, arrived, people):
    note = Notification.objects.get(recipient=people["hank"])
    # the link survives a detour through the login page
    response = client.get(note.get_absolute_url())
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.post(response.url, {"username": "hank", "password": "pw"})
    response = client.get(note.get_absolute_url())
    assert response.url == note.url
    note.refresh_from_db()
    assert note.read_at is not None


def test_someone_elses_message_is_404(client, arrived, people):
    note = Notification.objects.get(recipient=people["hank"])
    client.force_login(people["charlie"])
    assert client.get(note.get_absolute_url()).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_the_bell_counts_unread_and_mark_all_read_clears_it(client, arrived, people):
    client.force_login(people["hank"])
    assert 'class="bell-count">1<' in client.get(reverse("hall:home")).content.decode()
    client.post(reverse("hall:notifications-read"))
    assert "bell-count" not in client.get(reverse("hall:home")).content.decode()


def test_settings_choose_channels_and_language(client, people):
    client.force_login(people["alice"])
    client.post(
        reverse("hall:notification-settings"),
        {"language": "en", "notify_by_webhook": "on"},
    )
    people["alice"].refresh_from_db()
    assert people["alice"].language == "en"
    assert not people["alice"].notify_by_email and people["alice"].notify_by_webhook
    bad = client.post(reverse("hall:notification-settings"), {"language": "klingon"})
    assert bad.status_code == 200 and bad.context["form"].errors
    people["alice"].refresh_from_db()
    assert people["alice"].language == "en"


@pytest.mark.parametrize("count", [1, 50], ids=["1-row", "50-rows"])
def test_the_message_list_has_a_constant_query_count(
    client, django_assert_num_queries, people, count
):
    for n in range(count):
        notifications.notify(recipients=[people["alice"]], kind="cc", subject=f"事项{n}", url="/")
    client.force_login(people["alice"])
    client.get(reverse("hall:notifications"))  # fills the caches
    # user, count, page; the session and the bell's count from the cache (issue #10: 5 -> 3)
    with django_assert_num_queries(3):
        response = client.get(reverse("hall:notifications"))
    assert len(response.context["page"].object_list) == min(count, 20)
