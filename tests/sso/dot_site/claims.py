import json
import os

from oauth2_provider.oauth2_validators import OAuth2Validator


class CampusValidator(OAuth2Validator):
    """Releases the directory's attributes of the person, as the test wrote them."""

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "employee_number": "profile",
        "department": "profile",
        "title": "profile",
        "status": "profile",
    }

    def get_additional_claims(self, request):
        with open(os.environ["DOT_CLAIMS_FILE"], encoding="utf-8") as f:
            return json.load(f).get(request.user.get_username(), {})
