import json
import os


def released(user, service):
    """The attributes the directory releases for this person, as the test wrote them."""
    with open(os.environ["MAMA_ATTRIBUTES_FILE"], encoding="utf-8") as f:
        return json.load(f).get(user.get_username(), {})
