"""Fixtures for the contact domain's tests."""

import pytest


@pytest.fixture(autouse=True)
def _no_fill_time(app):
    """Forms may be sent at once: the minimum fill time has tests of its own, which set it."""
    app.config["CONTACT_MIN_SECONDS"] = 0
