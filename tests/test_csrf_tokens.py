"""Every form that posts carries its CSRF token: a form without one fails every time it is
sent (the subscribe page's own form once did). Read from the templates, so a page nobody
tested is covered too."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# Endpoints exempt from CSRF, whose forms need no token, and why.
EXEMPT = {
    "newsletter.unsubscribe": "one-click unsubscribe: the signed token in the address decides",
}

_POST_FORM = re.compile(r"<form\b[^>]*\bmethod=\"post\"[^>]*>(.*?)</form>", re.I | re.S)
_ACTION_ENDPOINT = re.compile(r"action=\"\{\{\s*url_for\(\s*'([\w.]+)'")
_TOKEN = re.compile(r"hidden_tag\(\)|\bcsrf_token\b")


def _post_forms():
    for path in sorted(TEMPLATES.rglob("*.html")):
        for match in _POST_FORM.finditer(path.read_text(encoding="utf-8")):
            yield path.relative_to(TEMPLATES), match.group(0), match.group(1)


def test_every_post_form_carries_its_csrf_token():
    forms = list(_post_forms())
    assert len(forms) > 20  # the scan finds the shop's forms
    missing = []
    for path, form, body in forms:
        endpoint = _ACTION_ENDPOINT.search(form)
        if endpoint and endpoint.group(1) in EXEMPT:
            continue
        if not _TOKEN.search(body):
            missing.append(f"{path}: {form.splitlines()[0]}")
    assert not missing, "forms without a CSRF token:\n" + "\n".join(missing)
