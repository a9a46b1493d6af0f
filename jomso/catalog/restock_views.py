""" "Email me when it is back": the product page's form posts here, and the confirmation link
of its email opens here (a page with a button, so a mail scanner following links confirms
nothing)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from jomso.accounts.forms import EmptyForm
from jomso.accounts.limits import client_key
from jomso.cart.forms import AddToCartForm
from jomso.catalog import bp, queries, restock
from jomso.catalog.forms import RestockForm
from jomso.catalog.variant_choice import chosen_variant
from jomso.catalog.views import render_product_page
from jomso.extensions import limiter

REQUESTS_PER_CLIENT = "10/hour"  # each request may send a confirmation email


@bp.post("/products/<slug>/back-in-stock")
@limiter.limit(REQUESTS_PER_CLIENT, key_func=client_key)
def restock_request(slug):
    """Record the address for the chosen sold-out variant (the page's options ride along in
    the query string, so a wrong address comes back on the same variant, typed as it was)."""
    product = queries.active_product(slug) or abort(404)
    choice = chosen_variant(product, request.args, required=False)
    variant = choice.variant
    form = RestockForm()
    if variant is None or form.variant.data != str(variant.id):
        abort(400)  # a form of another page, or one made up
    back = url_for("catalog.product_detail", slug=product.slug, **_options(variant))
    if not form.validate_on_submit():
        return render_product_page(
            product, AddToCartForm(product_id=product.id), 422, choice=choice, restock_form=form
        )
    user = current_user if current_user.is_authenticated else None
    outcome = restock.request_alert(variant, form.email.normalized, user)
    if outcome is restock.Outcome.IN_STOCK:
        flash(_("Good news: it is in stock now, so you can order it."), "success")
    elif outcome is restock.Outcome.WAITING:
        flash(_("Thank you: we will email you once when it is back in stock."), "success")
    else:
        flash(
            _(
                "Check your inbox: follow the link in our email to confirm, and we will "
                "email you once when it is back in stock."
            ),
            "success",
        )
    return redirect(back, 303)


def _options(variant) -> dict[str, str]:
    return {f"option{n}": value for n, value in enumerate(variant.values, start=1)}


@bp.route("/back-in-stock/confirm/<token>", methods=["GET", "POST"])
def restock_confirm(token):
    try:
        row = restock.request_for_token(token)
    except restock.InvalidLink:
        return render_template("catalog/restock_confirm.html", state="invalid"), 400
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("catalog/restock_confirm.html", state="invalid"), 400
        row = restock.confirm(token)
        state = "confirmed"
    else:
        state = "confirmed" if row.confirmed_at else "ask"
    return render_template(
        "catalog/restock_confirm.html",
        state=state,
        form=form,
        token=token,
        item=restock.item_name(row.variant),
        product_url=url_for(
            "catalog.product_detail", slug=row.variant.product.slug, **_options(row.variant)
        ),
    )
