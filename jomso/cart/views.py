"""Cart pages: view, and POST forms to add, update and remove lines (redirect after POST).

A product id that is not a product of the catalog (a tampered form) gets the 400 page; a wrong
quantity brings the page back with the message beside the field (422).
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from jomso.accounts.user_sessions import account_attached_when_used
from jomso.cart import bp, services
from jomso.cart.forms import (
    AddToCartForm,
    DiscountForm,
    RemoveDiscountForm,
    RemoveItemForm,
    UpdateItemForm,
)
from jomso.cart.rows import cart_links, cart_rows
from jomso.cart.totals import total_rows
from jomso.catalog.models import Product, ProductVariant
from jomso.catalog.page_cache import cached_page, layout_page
from jomso.catalog.variant_choice import chosen_variant
from jomso.extensions import db
from jomso.visitor_pieces import piece_key

# The header's cart link shows only the count: made once per count (``visitor_pieces``).
piece_key("partials/cart_link.html", lambda: (services.item_count(),))


@bp.app_context_processor
def _cart_count():
    # A callable: only the header's cart link (a piece of each visitor's own) asks for it.
    return {"cart_count": services.item_count}


def _tampered() -> BadRequest:
    error = BadRequest()
    error.jomso_message = _("That product is not in our catalog.")
    return error


def _posted_product(form) -> Product:
    """The product a cart form names; a missing or unknown id means the form was tampered with."""
    product = db.session.get(Product, form.product_id.data) if form.product_id.data else None
    if product is None:
        raise _tampered()
    return product


def _posted_variant(form) -> ProductVariant:
    """The variant a cart line's form names (unknown: a tampered form)."""
    variant = db.session.get(ProductVariant, form.variant_id.data) if form.variant_id.data else None
    if variant is None:
        raise _tampered()
    return variant


def _cart_page(summary, errors=None, status: int = 200, discount_entry=None):
    if summary.is_empty:  # the notices say why, when lines were just taken out
        return layout_page("cart/empty.html", own=("notices",), summary=summary), status
    links = cart_links()
    page = layout_page(
        "cart/cart.html",
        own=("notices", "lines", "summary", "delivery"),
        summary=summary,
        rows=cart_rows(summary, links, errors),
        totals=total_rows(summary, "cart"),
        links=links,
        discount_entry=discount_entry,
    )
    return page, status


@bp.get("")
@account_attached_when_used
def view_cart():
    if services.known_empty():
        return _empty_cart_page()
    return _cart_page(services.current_summary())


@cached_page()
def _empty_cart_page():
    # The same page for every visitor with nothing in the cart: from the page cache.
    return _cart_page(services.summarize(None))


@bp.post("/add")
def add_item():
    form = AddToCartForm()
    form.validate()
    product = _posted_product(form)
    choice = chosen_variant(product, request.form)
    if form.quantity.errors or choice.variant is None:
        from jomso.catalog.views import render_product_page

        if product.is_active:
            return render_product_page(product, form, status=422, choice=choice)
    if choice.variant is None:  # an inactive product: add_item says it is gone
        choice = choice._replace(variant=product.default_variant)
        if choice.variant is None:
            raise _tampered()
    change = services.add_item(choice.variant, form.quantity.data or 1)
    flash(change.message, change.level)
    if change.level == "error" and product.is_active:
        # Back on the variant chosen: sold out, its page offers "email me when it is back".
        options = {f"option{n}": v for n, v in enumerate(choice.variant.values, start=1)}
        return redirect(url_for("catalog.product_detail", slug=product.slug, **options))
    return redirect(url_for(".view_cart"))


@bp.post("/update")
def update_item():
    form = UpdateItemForm()
    form.validate()
    variant = _posted_variant(form)
    item = services.find_line(services.current_cart(), variant.id)
    if item is None:
        flash(_("That item is no longer in your cart."), "info")
        return redirect(url_for(".view_cart"))
    if form.quantity.errors:
        summary = services.summarize(item.cart)
        typed = form.quantity.raw_data[0] if form.quantity.raw_data else ""
        errors = {variant.id: (typed, " ".join(str(e) for e in form.quantity.errors))}
        return _cart_page(summary, errors, status=422)
    change = services.update_item(item, form.quantity.data)
    flash(change.message, change.level)
    return redirect(url_for(".view_cart"))


@bp.post("/remove")
def remove_item():
    form = RemoveItemForm()
    form.validate()
    variant = _posted_variant(form)
    item = services.find_line(services.current_cart(), variant.id)
    if item is None:
        flash(_("That item is no longer in your cart."), "info")
    else:
        change = services.remove_item(item)
        flash(change.message, change.level)
    return redirect(url_for(".view_cart"))


def _back(to: str):
    return redirect(url_for("checkout.checkout" if to == "checkout" else ".view_cart"), 303)


@bp.post("/discount")
def apply_discount():
    """Keep a discount code with the cart. One that does not apply (or a tampered field)
    brings the page it was typed on back with the reason beside the field and what was typed
    (422); an empty cart has nothing to discount."""
    form = DiscountForm()
    form.validate()
    to = form.back_to()
    cart = services.current_cart()
    if cart is None or not cart.items:
        flash(_("Your cart is empty: add something before entering a discount code."), "info")
        return redirect(url_for(".view_cart"), 303)
    typed = form.typed()
    problem = (
        _("Please enter a discount code.")
        if not typed.strip()
        else services.apply_code(cart, typed)
    )
    if problem is None:
        flash(_("The discount code is applied."), "success")
        return _back(to)
    entry = (typed, problem)
    if to == "checkout":
        from jomso.checkout.views import checkout_page_with_discount

        return checkout_page_with_discount(entry)
    return _cart_page(services.summarize(cart), status=422, discount_entry=entry)


@bp.post("/discount/remove")
def remove_discount():
    form = RemoveDiscountForm()
    form.validate()
    cart = services.current_cart()
    if cart is not None and cart.discount_code:
        services.remove_code(cart)
        flash(_("The discount code is removed."), "success")
    return _back(form.back_to())
