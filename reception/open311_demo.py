"""Demo Open311: one api key for a city-service app, and the noise category asks when it is
loudest (so its service definition has an attribute). Loading again adds nothing."""

from reception.models import CaseCategory, CaseCategoryAttribute, Open311Key

DEMO_KEY = "demo-open311-key-2026"


def seed_demo_open311() -> int:
    Open311Key.objects.get_or_create(key=DEMO_KEY, defaults={"name": "城市服务App（演示）"})
    noise = CaseCategory.objects.filter(code="noise").first()
    if noise is None:
        return 0
    _attribute, made = CaseCategoryAttribute.objects.get_or_create(
        category=noise,
        code="when",
        defaults={
            "description": "什么时候最吵？",
            "datatype": CaseCategoryAttribute.Datatype.SINGLE,
            "required": True,
            "values": [
                {"key": "night", "name": "夜间（22:00–6:00）"},
                {"key": "day", "name": "白天"},
                {"key": "all", "name": "全天"},
            ],
            "order": 1,
        },
    )
    return int(made)
