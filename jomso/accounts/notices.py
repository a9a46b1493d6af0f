"""Site-wide notices for the signed-in customer (``templates/partials/notices.html``): an
unconfirmed email address, a privacy policy changed since they accepted it."""

from __future__ import annotations

from flask_login import current_user

from jomso.accounts import bp


@bp.app_context_processor
def _notices():
    def account_notices() -> dict:
        """What to tell the signed-in customer; queried only when the partial asks."""
        if not current_user.is_authenticated:
            return {}
        from jomso.privacy.services import changed_policy_for

        return {
            "unconfirmed": not current_user.is_confirmed,
            "changed_policy": changed_policy_for(current_user),
        }

    return {"account_notices": account_notices}
