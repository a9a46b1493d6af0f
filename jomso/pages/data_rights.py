"""The content pages hold no customer data: their versions are the shop's records."""

from __future__ import annotations

from jomso.privacy.registry import declare_not_personal

declare_not_personal(
    "page_versions",
    "created_by names the staff member who published a version: shop records, not customer data",
)
