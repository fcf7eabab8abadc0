"""The services demo builds the published power list and guides once, through the services."""

import pytest
from django.utils import timezone

from fazhi.core.models import Event
from fazhi.services.demo import ITEMS, POWERS, build_services_demo
from fazhi.services.models import PowerKind, PowerList, ServiceGuide, ServiceItem

pytestmark = pytest.mark.django_db


def test_the_demo_builds_once(demo):
    created = build_services_demo(demo)
    assert created == {"powers": len(POWERS), "items": len(ITEMS), "guides": len(ITEMS)}
    published = PowerList.objects.get(agency=demo)
    assert published.frozen and published.published_on <= timezone.localdate()
    assert published.powers.count() == len(POWERS) >= 30
    kinds = set(published.powers.values_list("kind", flat=True))
    assert {PowerKind.LICENSING, PowerKind.BENEFIT, PowerKind.CONFIRMATION} <= kinds
    assert {PowerKind.PENALTY, PowerKind.INSPECTION} <= kinds
    assert ServiceGuide.objects.filter(agency=demo, state="published").count() == len(ITEMS)
    assert Event.objects.filter(verb="services.powers.publish").count() == 1
    events = Event.objects.count()

    assert build_services_demo(demo) == {"powers": 0, "items": 0, "guides": 0}
    assert Event.objects.count() == events
    assert ServiceItem.objects.filter(agency=demo).count() == len(ITEMS)
    assert PowerList.objects.filter(agency=demo).count() == 1
