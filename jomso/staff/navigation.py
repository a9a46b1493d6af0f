"""The back office's pages, in menu order: the side navigation and the dashboard cards.

A link shows only when its page exists and the person would pass the page's own permission
check (``may_open`` reads the view's ``required_permission``), so the menu can never offer a
page that answers 403. A new staff page gets its line here.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from jomso.permissions import may_open

OVERVIEW = _l("Overview")
SALES = _l("Orders and customers")
CATALOG = _l("Catalog")
INSIGHTS = _l("Insights")
ADMIN = _l("Administration")


@dataclass(frozen=True)
class StaffLink:
    endpoint: str
    label: object  # lazy translated strings
    group: object
    description: object


STAFF_LINKS: list[StaffLink] = [
    StaffLink("staff.dashboard", _l("Dashboard"), OVERVIEW, _l("What you can do here.")),
    StaffLink(
        "staff.activity",
        _l("Activity"),
        OVERVIEW,
        _l("What happened lately: the events your roles may see."),
    ),
    StaffLink(
        "staff.notifications",
        _l("Your notifications"),
        OVERVIEW,
        _l("Choose to get an email for each new order."),
    ),
    StaffLink(
        "staff_orders.order_list",
        _l("Orders"),
        SALES,
        _l("Pick, pack and ship orders; cancel and refund."),
    ),
    StaffLink(
        "enquiries.enquiry_list",
        _l("Enquiries"),
        SALES,
        _l("Read and answer customers' questions."),
    ),
    StaffLink(
        "staff.customer_list",
        _l("Customers"),
        SALES,
        _l("Customer accounts. Every look is written to the access log."),
    ),
    StaffLink(
        "catalog_admin.product_list",
        _l("Products"),
        CATALOG,
        _l("Add and edit products, prices, stock and images."),
    ),
    StaffLink(
        "catalog_admin.category_list",
        _l("Categories"),
        CATALOG,
        _l("Create, rename and order categories."),
    ),
    StaffLink(
        "discounts_admin.code_list",
        _l("Discount codes"),
        CATALOG,
        _l("Codes for a percent or an amount off, or free shipping, with their uses."),
    ),
    StaffLink(
        "announcements.announcement_list",
        _l("Announcements"),
        CATALOG,
        _l("Tell subscribers about new products."),
    ),
    StaffLink(
        "interest.product_interest",
        _l("Product interest"),
        CATALOG,
        _l("Views, questions and sign-ups per product: counts only."),
    ),
    StaffLink(
        "analytics.dashboard",
        _l("Traffic"),
        INSIGHTS,
        _l("Page views, visitors, top pages and products: totals only."),
    ),
    StaffLink(
        "sales.sales_page",
        _l("Sales"),
        INSIGHTS,
        _l("Revenue, orders, best sellers, categories and countries: figures only."),
    ),
    StaffLink(
        "shipping_admin.zone_list",
        _l("Shipping"),
        ADMIN,
        _l("Where you deliver, the methods and their rates."),
    ),
    StaffLink(
        "seller_admin.seller_details",
        _l("Seller details"),
        ADMIN,
        _l("The legal name, address, tax id and footer your invoices show."),
    ),
    StaffLink(
        "taxes_admin.tax_page",
        _l("Taxes"),
        ADMIN,
        _l("Prices with or without tax, tax classes and rates per country or state."),
    ),
    StaffLink(
        "staff.staff_list",
        _l("Staff"),
        ADMIN,
        _l("Add staff, change roles, disable accounts."),
    ),
    StaffLink(
        "staff.audit_log",
        _l("Access log"),
        ADMIN,
        _l("Who looked at which customer's data, sign-ins and changes."),
    ),
    StaffLink(
        "privacy_requests_admin.request_list",
        _l("Privacy requests"),
        ADMIN,
        _l("Data requests from people without an account, with their deadlines."),
    ),
    StaffLink(
        "policy_admin.version_list",
        _l("Privacy policy"),
        ADMIN,
        _l("Publish a new version of the privacy policy."),
    ),
    StaffLink(
        "pages_admin.page_list",
        _l("Content pages"),
        ADMIN,
        _l("Shipping and returns, terms of sale, about us, imprint."),
    ),
]


def links_for(user) -> list[StaffLink]:
    """The pages ``user`` may open, in menu order."""
    return [link for link in STAFF_LINKS if may_open(user, link.endpoint)]


def nav_groups(user) -> list[tuple[object, list[StaffLink]]]:
    """``links_for(user)`` grouped under their headings, empty groups left out."""
    groups: dict[str, tuple[object, list[StaffLink]]] = {}
    for link in links_for(user):
        groups.setdefault(str(link.group), (link.group, []))[1].append(link)
    return list(groups.values())


def current_link(groups: list[tuple[object, list[StaffLink]]], endpoint: str | None):
    """The menu link of the page at ``endpoint``: its own, or for a page inside a section
    (``staff_orders.order_detail``) the section's list (``staff_orders.order_list``)."""
    links = [link for _group, group_links in groups for link in group_links]
    endpoint = endpoint or ""
    for link in links:
        if link.endpoint == endpoint:
            return link
    for link in links:
        if link.endpoint.endswith("_list") and endpoint.startswith(link.endpoint[:-4]):
            return link
    return None
