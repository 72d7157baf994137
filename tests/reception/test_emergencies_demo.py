"""The emergencies demo: the tiers for every kind and the one for accidents, and its incident,
whose first tier tells the leaders configured for its kind too; loading the demo twice adds no
tier, no leader on a tier, no incident, entry or message."""

import pytest
from django.apps import apps

from hall.demo import seed_demo
from hall.models import Notification, User
from reception.emergencies import steps_for
from reception.emergencies_demo import TITLE, seed_demo_emergencies
from reception.models import Incident, IncidentEntry, IncidentTier
from reception.schedules_demo import seed_demo_schedules


def _counts():
    return (
        IncidentTier.objects.count(),
        IncidentTier.leaders.through.objects.count(),
        Incident.objects.count(),
        IncidentEntry.objects.count(),
        Notification.objects.count(),
    )


@pytest.mark.django_db
def test_the_demo_configures_leaders_per_kind_and_loads_once():
    # given the demo people and their duty office
    seed_demo()
    seed_demo_schedules()
    # when the emergencies demo is loaded twice
    assert seed_demo_emergencies() == 1
    first = _counts()
    assert seed_demo_emergencies() == 0
    # then nothing is duplicated
    assert _counts() == first
    assert IncidentTier.objects.filter(kind=Incident.Kind.ACCIDENT).count() == 3

    # and an accident's first tier adds the head of logistics; another kind's does not
    def first_tier(kind):
        ids = steps_for(2, kind)[0].leader_ids
        return sorted(User.objects.filter(pk__in=ids).values_list("username", flat=True))

    assert first_tier(Incident.Kind.ACCIDENT) == ["logistics-head", "organization-head"]
    assert first_tier(Incident.Kind.HEALTH) == ["organization-head"]
    # and the demo's accident was told to the head of logistics at once
    incident = Incident.objects.get(title=TITLE)
    logistics = User.objects.get(username="logistics-head")
    assert logistics.full_name in incident.entries.get(kind="notified").text
    assert Notification.objects.filter(recipient=logistics).exists()


@pytest.mark.django_db
def test_the_reception_demo_twice_adds_no_tier_or_incident():
    seed_demo()
    reception = apps.get_app_config("reception")
    reception.seed_demo()
    first = _counts()[:4]
    assert first[0] == 9 and first[2] == 1
    reception.seed_demo()
    assert _counts()[:4] == first
