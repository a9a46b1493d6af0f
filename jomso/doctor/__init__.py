"""The production checks: ``flask --app app doctor`` prints each with OK, WARN or FAIL and exits
with status 1 when any failed. ``checks`` holds them; ``cli`` prints them. The readiness checks
it shares with ``/readyz`` are core (``jomso.readiness``).

No views: the blueprint only carries the command.
"""

from flask import Blueprint

bp = Blueprint("doctor", __name__, cli_group=None)

from jomso.doctor import cli  # noqa: E402, F401  (registers the command on bp)
