"""The account pages on the ``accounts`` blueprint, and the accounts' registrations (data
rights, retention, the user loader, account notices). The app registers ``bp`` from here;
the package itself imports nothing, so that a module of any domain can import
``jomso.accounts.models`` or ``jomso.accounts.tokens`` without loading these pages.
"""

from jomso.accounts import (  # noqa: F401  (attach their views to bp, register)
    area_views,
    data_rights,
    loader,
    notices,
    retention,
    views,
)
from jomso.accounts.blueprint import bp

__all__ = ["bp"]
