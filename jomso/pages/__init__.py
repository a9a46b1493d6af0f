"""Content pages: the shop's own texts about itself (shipping and returns, terms of sale, about
us, imprint), written by the owner in Markdown, versioned like the privacy policy.

- ``models.py``: ``PageVersion``, one row per published version of a page.
- ``services.py``: the four pages, their versions, rendering (the catalog's Markdown renderer,
  sanitised), publishing (the version and its ``page_change`` access-log entry in one commit),
  and which pages the footer links to.
- ``views.py``: the public pages at ``/pages/<page_slug>``; this file holds their blueprint.
- ``staff_views.py``: the owner's editor at ``/staff/pages`` (blueprint ``pages_admin``).
- ``demo.py``: a short first version of each page for the demo shop.
- ``data_rights.py``: the versions are the shop's records, not personal data.
"""

from flask import Blueprint

bp = Blueprint("pages", __name__, url_prefix="/pages", cli_group=None)

from jomso.pages import data_rights, views  # noqa: E402, F401
