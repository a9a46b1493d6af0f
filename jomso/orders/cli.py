"""``flask --app app reconcile-payments``: settle orders whose payment outcome is unknown."""

from __future__ import annotations

import click
from flask import current_app

from jomso.orders.blueprint import bp
from jomso.orders.reconciling import orders_to_reconcile, reconcile
from jomso.orders.status import IllegalTransition, OrderStatus, label
from jomso.payments import GatewayUnavailable
from jomso.urls import shop_base_url, shop_request_context

COMMAND_LINE = "command line"


def _mail_links_context():
    """A request context for the mail sent from here (templates expect one); its links are
    made on the shop's own address (``jomso.urls``)."""
    if not current_app.config.get("SHOP_URL"):
        click.echo(
            "Note: JOMSO_SHOP_URL is not set, so links in the emails sent now point to "
            f"{shop_base_url()}",
            err=True,
        )
    return shop_request_context()


@bp.cli.command("reconcile-payments")
def reconcile_payments_command():
    """Settle orders whose payment outcome is unknown, from Braintree's records.

    An order whose payment timed out (or whose checkout was interrupted, its attempt older
    than RECONCILE_AFTER_SECONDS) becomes paid when Braintree holds an authorized sale for its
    number, and payment failed (its stock back on the shelf) when it holds none and the attempt
    is older than RECONCILE_AFTER_SECONDS; a younger one is left for a later run. The customer
    is emailed either way. Run it every minute. Exits with status 1 when Braintree could not be
    asked about some order.
    """
    with _mail_links_context():
        orders = orders_to_reconcile()
        if not orders:
            click.echo("No order is waiting for its payment to be settled.")
            return
        unreachable = 0
        for order in orders:
            number = order.number
            try:
                status = reconcile(order, default_actor=COMMAND_LINE)
            except GatewayUnavailable:
                unreachable += 1
                click.echo(f"{number}: Braintree could not be reached; try again later.")
            except IllegalTransition:
                click.echo(f"{number}: already settled.")
            else:
                if status == OrderStatus.PAYMENT_UNKNOWN:
                    click.echo(
                        f"{number}: {label(status)}: Braintree holds no payment for it yet; "
                        "a later run settles it."
                    )
                else:
                    click.echo(f"{number}: {label(status)}")
    if unreachable:
        raise SystemExit(1)
