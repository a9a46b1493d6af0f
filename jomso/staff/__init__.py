"""The back office under /staff: dashboard, activity feed, staff accounts, customer records,
access log. The blueprint and its pages are in ``jomso.staff.pages``; this file holds no code,
so that importing a registry (``jomso.staff.dashboard``, ``jomso.staff.customers``) loads none
of the pages.

Other areas add their staff pages to this blueprint's layout (templates/staff/layout.html),
protect every view with ``permission_required`` / ``staff_required`` (jomso/permissions.py)
and appear in the menu through jomso/staff/navigation.py.
"""
