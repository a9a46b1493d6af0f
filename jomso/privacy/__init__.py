"""Privacy: the policy and its acceptances, and the data-rights registry every domain joins.

- ``registry.py``: the data-rights registry (what "download my data" exports, what "delete my
  account" erases, for an account or a proved address); every domain registers its own
  sections and erasers there.
- ``services.py``, ``editing.py``: the policy's versions and which one each account accepted.
- ``data_rights.py``: privacy's own export sections (the policy acceptances, the requests).
- ``requests.py``, ``request_handling.py``, ``request_links.py``, ``request_retention.py``,
  ``forms.py``, ``limits.py``: privacy requests of people without an account: receiving and
  proving them, the staff's answers, the signed links, their retention. ``request_views.py``
  (``/privacy/request``) and ``request_staff_views.py`` (``/staff/privacy-requests``) are their
  pages, each with its own blueprint.
- ``hooks.py``: what privacy does on account signals, and its site-wide notice.
- ``views.py``: the policy pages; it holds the blueprint (listed in ``jomso.BLUEPRINTS``) and
  imports ``data_rights`` and ``hooks``. ``staff_views.py``: the owner's policy pages.

This file holds no code on purpose: any domain imports ``jomso.privacy.registry`` or
``jomso.privacy.retention`` to register, and importing them must not load the views, accounts or
any other domain.
"""
