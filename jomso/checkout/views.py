"""Checkout and order pages.

The checkout page carries a one-time key (``checkout_token``, kept in the session as
``session["checkout_token"]`` while no order uses it): the order placed with it is found again
by a double click or a resubmitted form, which then lands on that order instead of paying
twice. The key opens its order only for the session it was given to (which still holds it, or
was granted the order when it was placed) and for the order's signed-in owner: the same form
sent from another session is an out-of-date page and opens nothing. After placing, the
browser's session holds a grant to see the order (guests included); the confirmation email
carries a signed link that works anywhere.

When the payment's outcome is not known yet (Braintree did not answer in time, or the checkout
request ended mid-payment: a worker killed), the customer is shown ``/orders/<number>/checking``
("we are checking your payment") instead of an error. It refreshes by itself (a meta refresh,
no script) while ``reconcile-payments`` asks Braintree, then moves on: to the order page once
paid, or back to the checkout with the order's lines in the cart and a message once it failed.
Only the buyer sees it (the order's account, the session granted the order, or the session
whose checkout key made it); anyone else gets 404. Opening the checkout, or sending its form
again, while this session's order waits leads there too, so nobody pays twice meanwhile.
"""

from __future__ import annotations

import secrets
from dataclasses import replace

from flask import abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from jomso import payments
from jomso.accounts.forms import asked_for_address_layout
from jomso.accounts.limits import per_client
from jomso.addresses import shop_country
from jomso.analytics.recording import skip_page_view
from jomso.cart import services as cart_services
from jomso.cart.services import current_summary
from jomso.cart.totals import tax_rows, total_rows
from jomso.checkout import bp
from jomso.checkout.delivery import Delivery, check_choice, delivery_for
from jomso.checkout.forms import CheckoutForm
from jomso.i18n import format_money
from jomso.orders import access, placing
from jomso.orders.placing import Placement
from jomso.orders.queries import find_order
from jomso.orders.status import OrderStatus, customer_note
from jomso.security import extend_csp
from jomso.taxes import services as tax_services

TOKEN_KEY = "checkout_token"  # noqa: S105 - a session key, not a secret
# braintree-web, pinned: the only third-party script the shop loads, on this page only.
BRAINTREE_WEB_VERSION = "3.123.2"
CHECKOUT_PER_CLIENT = "15/minute;100/hour"  # card-testing bots hammer checkouts
# Orders whose payment outcome is not known yet: the checking page waits on them.
WAITING = frozenset({OrderStatus.PENDING_PAYMENT, OrderStatus.PAYMENT_UNKNOWN})
CHECK_EVERY_SECONDS = 5  # how often the checking page reloads itself


@bp.after_request
def _no_store(response):
    # Contact details and addresses: no shared or browser cache may keep these pages.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _checkout_token(renew: bool = False) -> str:
    """This checkout's one-time key: the same until an order is placed with it."""
    token = session.get(TOKEN_KEY)
    if renew or not token or placing.order_for_checkout_token(token) is not None:
        token = secrets.token_urlsafe(24)
        session[TOKEN_KEY] = token
    return token


def _resubmitted_order(token: str):
    """The order this session already placed with ``token`` (a double click, or the back
    button and "send again"), or None. Another session's key finds nothing here."""
    placed = placing.order_for_checkout_token(token)
    if placed is None or placed.status == OrderStatus.PAYMENT_FAILED:
        return None
    if token == session.get(TOKEN_KEY) or access.may_view(placed):
        return placed
    return None


def _placed_here(order) -> bool:
    """Whether this session's checkout key made ``order``: its checkout request may have ended
    without answering (a worker killed mid-payment), so nothing granted the order or emptied
    the cart."""
    token = session.get(TOKEN_KEY)
    return bool(token) and order.checkout_key == placing.checkout_key(token)


def _waiting_order():
    """The order this session's checkout key made whose payment outcome is not known yet."""
    placed = placing.order_for_checkout_token(session.get(TOKEN_KEY))
    return placed if placed is not None and placed.status in WAITING else None


def _to_payment_check(order):
    access.grant(order)
    return redirect(url_for(".payment_check", number=order.number), 303)


def _admit_braintree() -> None:
    """Let this page load Braintree's Hosted Fields: exactly the sources Braintree lists."""
    sandbox = payments.get_gateway().environment == "sandbox"
    api = "api.sandbox.braintreegateway.com" if sandbox else "api.braintreegateway.com"
    analytics = (
        "client-analytics.sandbox.braintreegateway.com"
        if sandbox
        else "client-analytics.braintreegateway.com"
    )
    extend_csp(
        script_src=["https://js.braintreegateway.com", "https://assets.braintreegateway.com"],
        frame_src=["https://assets.braintreegateway.com"],
        connect_src=[f"https://{api}", f"https://{analytics}", "https://*.braintree-api.com"],
        img_src=["https://assets.braintreegateway.com"],
    )


def _delivery(form: CheckoutForm, summary):
    """The methods for the address typed, and the summary priced with the chosen one and
    taxed for the address the tax follows (``CheckoutForm.tax_place``)."""
    delivery = delivery_for(form, summary.subtotal_cents, summary.weight_grams)
    place = form.tax_place()
    summary = cart_services.with_delivery(summary, delivery.chosen, place)
    rates = tax_services.rates_for(*(place or (shop_country(), "")))
    delivery.tax_rates = ",".join(f"{code}:{rate}" for code, rate in sorted(rates.items()))
    return delivery, _payable(summary)


def _payable(summary):
    """``summary``, or with its discount refused beside the field when it leaves nothing to
    pay: a card payment must be more than zero (Braintree's rule, and the offline gateway's),
    so the order would fail as a declined card. ``placing`` places no summary whose discount
    has a problem (409, nothing charged)."""
    if summary.total_cents > 0 or not summary.discount_code or summary.discount_problem:
        return summary
    problem = _(
        "The code %(code)s brings your order to %(total)s, and a payment must be more than "
        "that: add something to your cart, or remove the code.",
        code=summary.discount_code,
        total=format_money(0),
    )
    return replace(summary, discount_problem=problem)


def _page(
    form,
    summary,
    delivery: Delivery,
    *,
    status=200,
    notices=(),
    payment_error=None,
    renew=False,
    discount_entry=None,
):
    """The checkout page. ``notices`` explain a change of the cart; ``payment_error`` is the
    gateway's message for the customer. The nonce is never sent back."""
    demo = payments.is_demo_mode()
    client_token = None
    if not demo:
        try:
            client_token = payments.client_token()
        except payments.GatewayUnavailable:
            client_token = None
        else:
            _admit_braintree()
    form.payment_method_nonce.data = ""
    form.device_data.data = ""
    form.checkout_token.data = _checkout_token(renew)
    form.summary_hash.data = placing.summary_fingerprint(summary)
    form.delivery_hash.data = delivery.digest
    place = form.tax_place()
    # What each method's total and tax lines would be (its shipping taxed too), for the script
    # that updates the summary when another method is picked; the server recomputes it all
    # the same.
    options = {
        quote.method_id: cart_services.with_delivery(summary, quote, place)
        for quote in delivery.quotes
    }
    option_totals = {method_id: option.total_cents for method_id, option in options.items()}
    option_tax_rows = {
        method_id: tax_rows(option, "checkout") for method_id, option in options.items()
    }
    response = render_template(
        "checkout/checkout.html",
        form=form,
        summary=summary,
        delivery=delivery,
        option_totals=option_totals,
        totals=total_rows(summary, "checkout"),
        option_tax_rows=option_tax_rows,
        notices=[*summary.notices, *notices],
        payment_error=payment_error,
        discount_entry=discount_entry,
        demo=demo,
        demo_cards=payments.demo_cards() if demo else (),
        client_token=client_token,
        braintree_version=BRAINTREE_WEB_VERSION,
        chosen_nonce=request.form.get("payment_method_nonce") if demo else None,
    )
    return response, status


def _to_cart(notices=()):
    for notice in notices:
        flash(notice, "warning")
    flash(_("Your cart is empty: add something before checking out."), "info")
    return redirect(url_for("cart.view_cart"))


@bp.get("/checkout")
def checkout():
    waiting = _waiting_order()
    if waiting is not None:  # its payment is being checked: do not offer to pay again
        return _to_payment_check(waiting)
    summary = current_summary()
    if summary.is_empty:
        return _to_cart(summary.notices)
    form = CheckoutForm()
    if current_user.is_authenticated:
        form.prefill(current_user)
    delivery, summary = _delivery(form, summary)
    return _page(form, summary, delivery)


def checkout_page_with_discount(entry: tuple[str, str]):
    """The checkout page with a discount code that does not apply beside its field: (what
    was typed, why), 422. For ``POST /cart/discount`` sent from the checkout."""
    summary = current_summary()
    if summary.is_empty:
        return _to_cart(summary.notices)
    form = CheckoutForm(formdata=None)
    if current_user.is_authenticated:
        form.prefill(current_user)
    delivery, summary = _delivery(form, summary)
    return _page(form, summary, delivery, status=422, discount_entry=entry)


@bp.post("/checkout")
@per_client(CHECKOUT_PER_CLIENT)
def place_order():
    """Place the order and pay. Whatever happens, at most one charge per checkout key."""
    form = CheckoutForm()
    token = form.checkout_token.data or ""
    placed = _resubmitted_order(token)
    if placed is not None:  # sent twice from this session: the first one made this order
        if placed.status in WAITING:
            return _to_payment_check(placed)
        access.grant(placed)
        session.pop(TOKEN_KEY, None)
        return redirect(url_for(".order_page", number=placed.number), 303)
    summary = current_summary()
    if summary.is_empty:
        return _to_cart(summary.notices)
    shown_delivery = form.delivery_hash.data
    delivery, summary = _delivery(form, summary)
    if asked_for_address_layout():  # "update" for the fields or the methods: nothing placed
        return _page(form, summary, delivery)
    valid = form.validate_on_submit()
    problem = check_choice(form, delivery)
    if problem:
        form.shipping_method.errors = [problem]
    if not valid or problem:
        return _page(form, summary, delivery, status=422)
    if shown_delivery != delivery.digest:  # the address changed: show its methods first
        changed = _(
            "The delivery options for this address are shown below. Please choose one and "
            "place the order again."
        )
        return _page(form, summary, delivery, status=409, notices=[changed])
    if not token or token != session.get(TOKEN_KEY):
        stale = _("This checkout page was out of date. Please check your order and try again.")
        return _page(form, summary, delivery, status=409, notices=[stale])

    result = placing.place_order(
        summary=summary,
        shown_fingerprint=form.summary_hash.data or "",
        details=form.details(collected=form.collected),
        nonce=form.payment_method_nonce.data,
        device_data=form.device_data.data,
        checkout_token=token,
        user=current_user._get_current_object() if current_user.is_authenticated else None,
    )
    if result.outcome is Placement.EXISTING and result.order.status in WAITING:
        return _to_payment_check(result.order)
    if result.outcome in (Placement.PLACED, Placement.EXISTING, Placement.UNKNOWN):
        access.grant(result.order)
        session.pop(TOKEN_KEY, None)
        if result.outcome is Placement.UNKNOWN:
            return redirect(url_for(".payment_check", number=result.order.number), 303)
        if result.outcome is Placement.PLACED:
            flash(_("Your order is placed. A confirmation is on its way to your inbox."), "success")
        return redirect(url_for(".order_page", number=result.order.number), 303)
    if result.outcome is Placement.EMPTY:
        return _to_cart(result.notices)
    summary = current_summary()
    if summary.is_empty:
        return _to_cart(result.notices)
    delivery, summary = _delivery(form, summary)
    if result.outcome is Placement.FAILED:
        return _page(form, summary, delivery, status=422, payment_error=result.message, renew=True)
    notices = result.notices or ([result.message] if result.message else [])
    return _page(form, summary, delivery, status=409, notices=notices)


@bp.get("/orders/<number>")
def order_page(number: str):
    """An order, for the account that placed it, the browser that placed it, or whoever
    holds the signed link from the email; anyone else gets 404 (the page does not say
    whether such an order exists)."""
    order = find_order(number)
    if order is None or not access.may_view(order, request.args.get("token")):
        abort(404)
    own = current_user.is_authenticated and order.user_id == current_user.id
    response = make_response(
        render_template(
            "orders/account_detail.html" if own else "orders/detail.html",
            order=order,
            note=customer_note(order),
        )
    )
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/orders/<number>/checking")
def payment_check(number: str):
    """The page saying "we are checking your payment", shown while the order's payment outcome
    is unknown and reloaded by the browser every few seconds (not counted as page views) until
    it is known. Then it sends the buyer on: to the order page when paid (taking the order out
    of a cart its interrupted checkout left full), or back to the checkout with the order's
    lines in the cart when it failed. Only the buyer may look (see the module docstring);
    anyone else gets 404."""
    order = find_order(number)
    here = order is not None and _placed_here(order)
    if order is None or not (here or access.may_view(order)):
        abort(404)
    if here:
        access.grant(order)
    status = OrderStatus(order.status)
    if status in WAITING:
        skip_page_view()  # a waiting screen reloading itself, not a visit
        response = make_response(
            render_template(
                "checkout/checking.html", order=order, refresh_seconds=CHECK_EVERY_SECONDS
            )
        )
        response.headers["X-Robots-Tag"] = "noindex"
        return response
    if here:  # this session's checkout is over: the next one gets a new key
        session.pop(TOKEN_KEY, None)
    if status is OrderStatus.PAYMENT_FAILED:
        cart_services.put_back(order.lines)
        flash(
            _(
                "We could not confirm your payment for order %(number)s, so it was not placed "
                "and you have not been charged. Your cart is as you left it: please check your "
                "details and try again.",
                number=order.number,
            ),
            "error",
        )
        return redirect(url_for(".checkout"), 303)
    if here:
        cart_services.take_out(order.lines)
    if status is OrderStatus.PAID:
        flash(
            _("Your payment is confirmed and your order is placed. A confirmation is on its way."),
            "success",
        )
    return redirect(url_for(".order_page", number=order.number), 303)
