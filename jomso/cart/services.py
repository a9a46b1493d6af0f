"""The cart: what a visitor is about to buy, priced from the database at every view.

Where the cart lives
    A guest's cart id is kept in the Flask session under ``session["cart_id"]``, set only when
    something is first added (browsing creates no cart and no session). A signed-in account's
    cart is the ``Cart`` whose ``user_id`` is theirs. At sign-in the accounts view clears the
    session but carries ``cart_id`` over, then Flask-Login's ``user_logged_in`` signal fires and
    ``merge_guest_cart`` adds the guest lines to the account's cart (capped by stock) and drops
    the guest cart.

API for checkout and other areas
    ``current_cart(create=False) -> Cart | None``
        The visitor's cart; with ``create=True`` one is made (and flushed) when there is none.
    ``summarize(cart) -> CartSummary``
        Brings the cart up to date with the catalog and prices it: lines whose product was
        deleted, deactivated or sold out are removed, quantities above the stock or
        ``CART_MAX_QUANTITY`` are lowered, a price changed since the customer last saw it is
        pointed out (once); each change is described in ``notices``, and committed. Then:
        ``lines`` (``product``, ``variant``, ``quantity``, ``unit_price_cents``,
        ``line_total_cents``, ``image_key``, ``previous_price_cents``, ``weight_grams`` of
        one), ``subtotal_cents``, ``weight_grams``, ``shipping_cents`` (the estimate for the
        shop's own country: ``shipping.rates.estimate``; ``delivery`` is that quote, None when
        the shop does not deliver there or the cart is empty), ``tax`` (a
        ``taxes.money.TaxBreakdown``: an estimate for the shop's own country until checkout
        knows the address, ``tax_estimated``), ``total_cents``, ``item_count``. All integer
        cents. ``summarize(None)`` is the empty summary.
        The discount code kept with the cart (``discount_code``) is checked and priced
        here (``jomso.discounts.pricing``): ``discount_cents`` off the goods, split over
        the lines it applies to (each line's ``discount_cents``: the taxes are computed on
        ``line_total_cents - discount_cents``, ``taxes.money.taxable_cents``),
        ``shipping_discount_cents`` when it makes shipping free, and ``discount_problem``
        saying why a kept code does not apply now (then it takes nothing off, and checkout
        refuses to place the order until the code is removed).
        ``total_cents = subtotal - discount + shipping + tax`` (the tax only when it is
        added to prices).
    ``current_summary() -> CartSummary``
        ``summarize(current_cart())``, the cart read with its lines in one statement as plain
        rows (no ORM object): for the pages that show the cart (the cart, the checkout page).
        Lines' ``product`` and ``variant`` are ``LineProduct`` and ``LineVariant`` either way.
    ``with_delivery(summary, quote, place=None)``
        The summary priced with the delivery method the customer chose at checkout, and taxed
        for ``place`` (country, region): the delivery address, or the billing address for a
        pickup. Without a place, the shop's country (an estimate).
    ``apply_code(cart, typed) -> str | None`` / ``remove_code(cart)``
        Keep a discount code with the cart when it applies to it now (else the reason, and
        nothing kept); forget it. Both commit.
    ``clear_cart(cart_id)``
        Empties the cart (a summary's ``cart_id``) and forgets a guest cart, inside the
        caller's transaction: checkout calls it just before committing the order.
    ``add_item`` / ``update_item`` / ``remove_item`` return a ``CartChange`` (message, level)
    and commit.
    ``put_back(lines)`` / ``take_out(lines)``
        After a payment settled later than its checkout (``checkout.views.payment_check``):
        a failed one puts the order's lines back in the visitor's cart, a paid one takes them
        out of a cart its interrupted checkout never emptied. Both commit and may be repeated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Protocol, TypeVar

from flask import current_app, session
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, user_logged_in
from sqlalchemy import bindparam, delete, func, inspect, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.attributes import set_committed_value

from jomso import request_memo
from jomso.accounts.session_values import MISSING, register_session_value, session_value
from jomso.addresses import shop_country
from jomso.cart.models import Cart, CartItem
from jomso.catalog import page_cache
from jomso.catalog.models import Product, ProductImage, ProductVariant, variant_title
from jomso.catalog.queries import first_image_key
from jomso.database import read_rows, read_value, utcnow
from jomso.discounts import codes as discount_codes
from jomso.discounts import pricing, usage
from jomso.discounts.models import DiscountCode
from jomso.extensions import db
from jomso.i18n import format_money
from jomso.shipping import rates
from jomso.shipping.rates import Quote
from jomso.shop_time import shop_today
from jomso.taxes import money as tax_money
from jomso.taxes.services import breakdown_for

SESSION_KEY = "cart_id"


@dataclass(frozen=True, slots=True)
class LineProduct:
    """What a cart line shows of its product, read with the line (not an ORM object)."""

    id: int
    slug: str
    name: str
    category_id: int | None


@dataclass(frozen=True, slots=True)
class LineVariant:
    """What a cart line shows of its variant, read with the line (not an ORM object)."""

    id: int
    title: str  # "M / Blue"; "" for a product without options
    stock: int


@dataclass
class CartLine:
    product: LineProduct
    variant: LineVariant
    quantity: int
    unit_price_cents: int
    line_total_cents: int
    image_key: str | None = None
    previous_price_cents: int | None = None  # set on the view right after a price change
    weight_grams: int = 0  # of one item
    # This line's share of the discount (the code's cents split over the lines it applies
    # to): what is paid for the line is ``line_total_cents - discount_cents``.
    discount_cents: int = 0
    tax_class: str = "standard"  # taxes.money.line_class of the product and variant


@dataclass
class CartSummary:
    cart_id: int | None = None  # the cart priced; None: the visitor has none
    lines: list[CartLine] = field(default_factory=list)
    subtotal_cents: int = 0
    shipping_cents: int = 0
    total_cents: int = 0
    item_count: int = 0
    notices: list[str] = field(default_factory=list)
    # How much more to spend for free shipping (0 when it is free already or not offered).
    free_shipping_gap_cents: int = 0
    weight_grams: int = 0
    # The delivery priced in ``shipping_cents``: the estimate, or the method chosen at checkout.
    delivery: Quote | None = None
    # The discount code kept with the cart ("" none), what it takes off the goods (the sum of
    # the lines' ``discount_cents``), the shipping price it waives (free shipping), and why
    # it does not apply now (None: it applies, or there is no code).
    discount_code: str = ""
    discount_cents: int = 0
    free_shipping: bool = False
    shipping_discount_cents: int = 0
    discount_problem: str | None = None
    # The tax, per line (in ``lines`` order) and per rate; an estimate for the shop's own
    # country until the checkout passes the address (``tax_estimated`` False then).
    tax: tax_money.TaxBreakdown = tax_money.NO_TAX
    tax_estimated: bool = True

    @property
    def tax_cents(self) -> int:
        return self.tax.tax_cents

    @property
    def is_empty(self) -> bool:
        return not self.lines


@dataclass
class CartChange:
    message: str
    level: str = "success"  # a flash category: success, warning, error, info


def max_quantity() -> int:
    return int(current_app.config["CART_MAX_QUANTITY"])


def current_cart(create: bool = False) -> Cart | None:
    """The visitor's cart (the account's when signed in, else the session's guest cart)."""
    if current_user.is_authenticated:
        cart = db.session.scalar(select(Cart).where(Cart.user_id == current_user.id))
        if cart is None and create:
            cart = Cart(user_id=current_user.id)
            db.session.add(cart)
            db.session.flush()
        return cart
    cart = _guest_cart(lambda cart_id: db.session.get(Cart, cart_id), lambda cart: cart.user_id)
    if cart is None and create:
        cart = Cart()
        db.session.add(cart)
        db.session.flush()
        session[SESSION_KEY] = cart.id
    return cart


_Found = TypeVar("_Found")


def _guest_cart_id() -> int | None:
    """The cart id the guest session keeps, or None (none, or not an id: a tampered cookie)."""
    cart_id = session.get(SESSION_KEY)
    return cart_id if isinstance(cart_id, int) else None


def _guest_cart(
    read: Callable[[int], _Found | None], owner: Callable[[_Found], int | None]
) -> _Found | None:
    """The guest session's cart as ``read(cart_id)`` finds it, or None. Never an account's
    cart (``owner(found)`` not None); a kept id that finds nothing (the cart was purged) is
    forgotten."""
    cart_id = _guest_cart_id()
    found = read(cart_id) if cart_id is not None else None
    if found is not None and owner(found) is not None:
        found = None  # never reach an account's cart through a guest session
    if found is None and SESSION_KEY in session:
        session.pop(SESSION_KEY, None)
    return found


def known_empty() -> bool:
    """Whether the visitor's cart is known to be empty without a statement of its own: a
    guest without a cart, or a signed-in customer whose count was read with their session."""
    if current_user.is_authenticated:
        units = session_value("cart_units", current_user.id)
        return units is not MISSING and not units
    return _guest_cart_id() is None


def item_count() -> int:
    """Units in the visitor's cart for the header: no query for a guest without a cart, nor
    after ``summarize`` counted them in this request (the cart and checkout pages)."""
    if current_user.is_authenticated:
        units = request_memo.kept(("account cart units", current_user.id))
        if units is not request_memo.MISSING:
            return units
        units = session_value("cart_units", current_user.id)
        if units is not MISSING:  # read with the session, in its statement
            return int(units or 0)
        query = _user_cart_units(current_user.id)
    else:
        cart_id = _guest_cart_id()
        if cart_id is None:
            return 0
        units = request_memo.kept(("cart units", cart_id))
        if units is not request_memo.MISSING:
            return units
        # A guest's count is read without the ORM session on a page served from the cache.
        return int(read_value(_GUEST_CART_UNITS, cart_id=cart_id) or 0)
    return int(db.session.scalar(query) or 0)


_GUEST_CART_UNITS = "SELECT COALESCE(SUM(quantity), 0) FROM cart_items WHERE cart_id = :cart_id"


def _user_cart_units(user_id):
    return (
        select(func.coalesce(func.sum(CartItem.quantity), 0))
        .join(Cart, Cart.id == CartItem.cart_id)
        .where(Cart.user_id == user_id)
    )


# The header's cart count of a signed-in customer is read with their session (one statement).
register_session_value("cart_units", lambda user_id: _user_cart_units(user_id).scalar_subquery())


def _guest_units_with_revision():
    # A guest's, read in the catalog revision's statement (a page from the cache reads the
    # revision first, then the header asks for the count): one statement for both.
    cart_id = _guest_cart_id()
    if cart_id is None or current_user.is_authenticated:
        return None
    return ("cart units", cart_id), _GUEST_CART_UNITS, {"cart_id": cart_id}


page_cache.read_with_revision(_guest_units_with_revision)


def _limit(stock: int) -> int:
    """How many of a variant with ``stock`` left one line may hold."""
    return max(0, min(stock, max_quantity()))


def line_name(product: Product, variant: ProductVariant) -> str:
    """How a line is named: the product's name, with the variant's title when it has one."""
    return _named(product.name, variant.title)


def _named(name: str, title: str) -> str:
    return f"{name} ({title})" if title else name


def _quote(variant: ProductVariant) -> str:
    return f"“{line_name(variant.product, variant)}”"


def _sellable(variant: ProductVariant) -> bool:
    return variant.is_active and variant.product.is_active


def _retry_once(change):
    """Run a cart change; if a concurrent request won a race (the same line or cart created
    twice, a stale SQLite snapshot), roll back and run it again on fresh data."""
    try:
        return change()
    except (IntegrityError, OperationalError):
        db.session.rollback()
        return change()


def add_item(variant: ProductVariant, quantity: int) -> CartChange:
    """Add units of a variant, as many as stock and the per-line maximum allow."""

    def change() -> CartChange:
        # Read before the commit, which expires the variant and its product: named after
        # it, each would be read again just for the message.
        name, stock = _quote(variant), variant.stock
        if not _sellable(variant):
            return CartChange(_("Sorry, %(name)s is no longer available.", name=name), "error")
        limit = _limit(stock)
        if limit == 0:
            return CartChange(_("Sorry, %(name)s is sold out.", name=name), "error")
        cart = current_cart(create=True)
        item = find_line(cart, variant.id)
        already = item.quantity if item else 0
        new_quantity = min(already + quantity, limit)
        if new_quantity <= already:
            return CartChange(_limit_message(stock, name, limit, already), "warning")
        if item is None:
            item = CartItem(cart=cart, variant_id=variant.id, quantity=0)
            db.session.add(item)
        item.quantity = new_quantity
        item.seen_price_cents = variant.effective_price_cents
        item.product_name = line_name(variant.product, variant)[:200]
        cart.updated_at = utcnow()
        db.session.commit()
        added = new_quantity - already
        if added < quantity:
            return CartChange(_limit_message(stock, name, limit, new_quantity), "warning")
        return CartChange(
            ngettext(
                "Added %(num)d of %(name)s to your cart.",
                "Added %(num)d of %(name)s to your cart.",
                added,
                name=name,
            )
        )

    return _retry_once(change)


def _limit_message(stock: int, name: str, limit: int, in_cart: int) -> str:
    """Why a line holds only ``limit``: the stock, or the per-line maximum (``name`` quoted)."""
    if limit == stock:
        return ngettext(
            "Only %(num)d of %(name)s is in stock; your cart has %(in_cart)d.",
            "Only %(num)d of %(name)s are in stock; your cart has %(in_cart)d.",
            limit,
            name=name,
            in_cart=in_cart,
        )
    return _(
        "You can buy at most %(max)d of %(name)s at a time; your cart has %(in_cart)d.",
        max=limit,
        name=name,
        in_cart=in_cart,
    )


_LINE = select(CartItem).where(
    CartItem.cart_id == bindparam("cart_id"), CartItem.variant_id == bindparam("variant_id")
)  # built once: every change to a cart reads it


def find_line(cart: Cart | None, variant_id: int) -> CartItem | None:
    """The cart's line of this variant, holding its cart: the session keeps objects weakly,
    so a cart nothing else refers to would be read again at ``item.cart``."""
    if cart is None:
        return None
    item = db.session.scalar(_LINE, {"cart_id": cart.id, "variant_id": variant_id})
    if item is not None:
        set_committed_value(item, "cart", cart)
    return item


def update_item(item: CartItem, quantity: int) -> CartChange:
    """Set a line's quantity (0 removes it), lowered to what stock and the maximum allow."""
    variant = item.variant
    if quantity == 0 or variant is None or not _sellable(variant):
        return remove_item(item)
    limit = _limit(variant.stock)
    if limit == 0:
        return remove_item(item)
    # Read before the commit expires them (as in ``add_item``).
    name, stock, kept = _quote(variant), variant.stock, min(quantity, limit)
    item.quantity = kept
    item.seen_price_cents = variant.effective_price_cents
    item.cart.updated_at = utcnow()
    db.session.commit()
    if quantity > limit:
        return CartChange(_limit_message(stock, name, limit, kept), "warning")
    return CartChange(_("Updated the quantity of %(name)s.", name=name))


def remove_item(item: CartItem) -> CartChange:
    name = item.product_name
    item.cart.updated_at = utcnow()
    db.session.delete(item)
    db.session.commit()
    return CartChange(_("Removed “%(name)s” from your cart.", name=name))


def with_delivery(
    summary: CartSummary, quote: Quote | None, place: tuple[str, str] | None = None
) -> CartSummary:
    """``summary`` priced with ``quote`` (the method chosen at checkout; None: no shipping
    price yet) and taxed for ``place`` (country, region; None: the shop's own country, an
    estimate)."""
    shipping = quote.cents if quote is not None else 0
    waived = shipping if summary.free_shipping else 0
    country, region = place if place is not None else (shop_country(), "")
    tax = breakdown_for(
        [(tax_money.taxable_cents(line), line.tax_class) for line in summary.lines],
        shipping - waived,
        country,
        region,
    )
    return replace(
        summary,
        delivery=quote,
        shipping_cents=shipping - waived,
        shipping_discount_cents=waived,
        free_shipping_gap_cents=quote.free_gap_cents if quote is not None and not waived else 0,
        tax=tax,
        tax_estimated=place is None,
        total_cents=summary.subtotal_cents
        - summary.discount_cents
        + shipping
        - waived
        + tax.added_cents,
    )


@cache
def _cart_statement(by: str):
    """A cart (``by`` "id": the parameter ``cart_id``; "user": the account ``user_id``'s)
    with its lines, each with its variant, product and image key (the variant's own image,
    else the product's first): a row per line, in the order they were added, or one row
    without a line for an empty cart. Built once; read as plain rows (``read_rows``)."""
    variant_image = (
        select(ProductImage.key).where(ProductImage.id == ProductVariant.image_id).scalar_subquery()
    )
    statement = (
        select(
            Cart.id.label("cart_id"),
            Cart.user_id,
            Cart.discount_code,
            CartItem.id.label("item_id"),
            CartItem.quantity,
            CartItem.seen_price_cents,
            CartItem.product_name.label("seen_name"),
            ProductVariant.id.label("variant_id"),
            ProductVariant.option1,
            ProductVariant.option2,
            ProductVariant.option3,
            ProductVariant.price_cents.label("variant_price_cents"),
            ProductVariant.stock,
            ProductVariant.weight_grams,
            ProductVariant.is_active.label("variant_active"),
            ProductVariant.tax_class.label("variant_tax_class"),
            Product.id.label("product_id"),
            Product.slug,
            Product.name,
            Product.price_cents,
            Product.is_active.label("product_active"),
            Product.category_id,
            Product.tax_class,
            func.coalesce(variant_image, first_image_key(ProductVariant.product_id)).label(
                "image_key"
            ),
            page_cache.revision_column().label("catalog_revision"),
        )
        .select_from(Cart)
        .outerjoin(CartItem, CartItem.cart_id == Cart.id)
        .outerjoin(ProductVariant, ProductVariant.id == CartItem.variant_id)
        .outerjoin(Product, Product.id == ProductVariant.product_id)
        .order_by(CartItem.id)
    )
    if by == "user":
        return statement.where(Cart.user_id == bindparam("user_id"))
    return statement.where(Cart.id == bindparam("cart_id"))


def summarize(cart: Cart | None) -> CartSummary:
    """Price the cart from the database now, bringing it up to date first (see the module
    docstring); commits when a line had to change. One statement to read, one commit at
    most."""
    if cart is None:
        return CartSummary()
    cart_id = inspect(cart).identity[0]  # (a cart expired by a commit is not loaded again)
    return _summarized(read_rows(_cart_statement("id"), {"cart_id": cart_id}))


def current_summary() -> CartSummary:
    """``summarize(current_cart())`` in one statement, the cart read with its lines (for a
    page that shows the cart and changes nothing else: no ORM object is made)."""
    if current_user.is_authenticated:
        return _summarized(read_rows(_cart_statement("user"), {"user_id": current_user.id}))
    rows = _guest_cart(
        lambda cart_id: read_rows(_cart_statement("id"), {"cart_id": cart_id}) or None,
        lambda rows: rows[0]["user_id"],
    )
    return _summarized(rows or [])


def _summarized(rows: list[dict]) -> CartSummary:
    """The summary of a cart read by ``_cart_statement``: lines no longer sold are removed,
    quantities lowered to what can be bought, a changed price or name kept as seen, each
    with a notice; those changes written by the lines' ids and committed."""
    summary = CartSummary()
    if not rows:
        return summary
    cart = rows[0]
    page_cache.keep_request_revision(cart["catalog_revision"])  # the page's one read of it
    summary.cart_id = cart["cart_id"]
    removed: list[int] = []
    seen: dict[int, dict] = {}
    for row in rows:
        if row["item_id"] is None:
            continue  # the one row of an empty cart
        name = f"“{row['seen_name']}”"
        if row["product_id"] is None or not (row["variant_active"] and row["product_active"]):
            summary.notices.append(
                _("%(name)s is no longer available and was removed from your cart.", name=name)
            )
            removed.append(row["item_id"])
            continue
        limit = _limit(row["stock"])
        if limit == 0:
            summary.notices.append(
                _("%(name)s sold out and was removed from your cart.", name=name)
            )
            removed.append(row["item_id"])
            continue
        variant = LineVariant(
            id=row["variant_id"],
            title=variant_title(row["option1"], row["option2"], row["option3"]),
            stock=row["stock"],
        )
        product = LineProduct(
            id=row["product_id"], slug=row["slug"], name=row["name"], category_id=row["category_id"]
        )
        shown_name = _named(product.name, variant.title)
        quantity = row["quantity"]
        if quantity > limit:
            quantity = limit
            seen[row["item_id"]] = {"quantity": limit}
            summary.notices.append(_limit_message(variant.stock, f"“{shown_name}”", limit, limit))
        price = row["variant_price_cents"]
        price = row["price_cents"] if price is None else price
        line = CartLine(
            product=product,
            variant=variant,
            quantity=quantity,
            unit_price_cents=price,
            line_total_cents=price * quantity,
            image_key=row["image_key"],
            weight_grams=row["weight_grams"],
            tax_class=tax_money.line_class(row["tax_class"], row["variant_tax_class"]),
        )
        if row["seen_price_cents"] != price or row["seen_name"] != shown_name[:200]:
            if row["seen_price_cents"] != price:
                line.previous_price_cents = row["seen_price_cents"]
                summary.notices.append(
                    _(
                        "The price of %(name)s changed from %(old)s to %(new)s since you added it.",
                        name=f"“{shown_name}”",
                        old=format_money(row["seen_price_cents"]),
                        new=format_money(price),
                    )
                )
            seen.setdefault(row["item_id"], {}).update(
                seen_price_cents=price, product_name=shown_name[:200]
            )
        summary.lines.append(line)
    if removed or seen:
        if removed:
            db.session.execute(delete(CartItem).where(CartItem.id.in_(removed)))
        for item_id, values in seen.items():
            db.session.execute(update(CartItem).where(CartItem.id == item_id).values(**values))
        db.session.commit()
    summary.subtotal_cents = sum(line.line_total_cents for line in summary.lines)
    summary.item_count = sum(line.quantity for line in summary.lines)
    # The header's count, from what was just read and committed (dropped at the next write).
    request_memo.keep(("cart units", cart["cart_id"]), summary.item_count)
    if cart["user_id"] is not None:
        request_memo.keep(("account cart units", cart["user_id"]), summary.item_count)
    summary.weight_grams = sum(line.weight_grams * line.quantity for line in summary.lines)
    summary.total_cents = summary.subtotal_cents
    if not summary.lines:
        return summary
    _discount(cart["discount_code"], summary)
    return with_delivery(summary, rates.estimate(summary.subtotal_cents, summary.weight_grams))


def find_code(typed: str | None) -> DiscountCode | None:
    """The code a customer typed, matched as ``jomso.discounts.codes`` reads it."""
    key = discount_codes.lookup_key(typed)
    if not key or not discount_codes.well_formed(key):
        return None
    return db.session.scalar(select(DiscountCode).where(DiscountCode.lookup_key == key))


def _customer() -> tuple[int | None, str | None]:
    if current_user.is_authenticated:
        return current_user.id, current_user.email
    return None, None


def code_problem(code: DiscountCode | None, typed: str, summary: CartSummary) -> str | None:
    """Why ``code`` does not apply to the summary's lines now (None: it does)."""
    user_id, email = _customer()
    uses = usage.for_limits(code, user_id, email) if code is not None else usage.Usage()
    refusal = pricing.refusal(
        code,
        shop_today(),
        uses,
        subtotal_cents=summary.subtotal_cents,
        eligible=code is not None and pricing.any_eligible(code, summary.lines),
        check_customer=user_id is not None,
    )
    return pricing.message(refusal, code, typed) if refusal is not None else None


def _discount(kept: str | None, summary: CartSummary) -> None:
    """Price the discount code kept with the cart into ``summary`` (see the module
    docstring)."""
    if not kept:
        return
    summary.discount_code = kept
    code = find_code(kept)
    summary.discount_problem = code_problem(code, kept, summary)
    if summary.discount_problem is not None:
        return
    priced = pricing.price(code, summary.lines)
    summary.discount_code = code.code
    for line, share in zip(summary.lines, priced.shares, strict=True):
        line.discount_cents = share
    summary.discount_cents = priced.cents
    summary.free_shipping = priced.free_shipping
    summary.total_cents = summary.subtotal_cents - priced.cents


def apply_code(cart: Cart, typed: str) -> str | None:
    """Keep the code ``typed`` with the cart if it applies to it now; else return why (and
    keep nothing: a code kept before stays). Commits."""
    shown = discount_codes.normalise(typed)[: discount_codes.MAX_LENGTH]
    code = find_code(typed)
    problem = code_problem(code, shown, summarize(cart))
    if problem is not None:
        return problem
    cart.discount_code = code.code
    cart.updated_at = utcnow()
    db.session.commit()
    return None


def remove_code(cart: Cart) -> None:
    """Forget the cart's discount code. Commits."""
    cart.discount_code = None
    cart.updated_at = utcnow()
    db.session.commit()


_CARTS, _ITEMS = Cart.__table__, CartItem.__table__
# Built once (the checkout's hot path): building a statement costs about as much as running it.
_EMPTY_CART = delete(_ITEMS).where(_ITEMS.c.cart_id == bindparam("cart_id"))
_DELETE_CART = delete(_CARTS).where(_CARTS.c.id == bindparam("cart_id"))
_FORGET_CODE = (
    update(_CARTS)
    .where(_CARTS.c.id == bindparam("cart_id"))
    .values(discount_code=None, updated_at=bindparam("now"))
)


def clear_cart(cart_id: int) -> None:
    """Empty the visitor's cart (its id, from the summary) inside the caller's transaction
    (checkout commits it with the order): a guest's cart is deleted, an account's is kept,
    empty and without its code. Reads nothing: whose cart it is follows from who is signed
    in, as when the summary read it."""
    key = {"cart_id": cart_id}
    db.session.execute(_EMPTY_CART, key)
    if current_user.is_authenticated:
        db.session.execute(_FORGET_CODE, {**key, "now": utcnow()})
        return
    db.session.execute(_DELETE_CART, key)
    session.pop(SESSION_KEY, None)


class OrderedLine(Protocol):
    """What ``put_back`` and ``take_out`` read of an order's line (``orders.models.OrderLine``)."""

    variant_id: int | None
    quantity: int
    unit_price_cents: int
    name: str


def put_back(lines: Iterable[OrderedLine]) -> None:
    """Put an unplaced order's lines back in the visitor's cart, at the price the customer saw
    (``summarize`` then points out a change, and drops what is no longer sold). A line already
    in the cart keeps the larger quantity, so doing it again adds nothing."""
    wanted = [line for line in lines if line.variant_id is not None]
    if not wanted:
        return

    def change() -> None:
        cart = current_cart(create=True)
        for line in wanted:
            item = find_line(cart, line.variant_id)
            if item is None:
                item = CartItem(cart=cart, variant_id=line.variant_id, quantity=0)
                item.seen_price_cents = line.unit_price_cents
                title = getattr(line, "variant_title", "")
                item.product_name = (f"{line.name} ({title})" if title else line.name)[:200]
                db.session.add(item)
            item.quantity = max(item.quantity, line.quantity)
        cart.updated_at = utcnow()
        db.session.commit()

    _retry_once(change)


def take_out(lines: Iterable[OrderedLine]) -> None:
    """Take a placed order's units out of the visitor's cart (its checkout request ended before
    emptying the cart); other lines stay."""
    cart = current_cart()
    if cart is None:
        return
    for line in lines:
        item = find_line(cart, line.variant_id) if line.variant_id is not None else None
        if item is None:
            continue
        if item.quantity > line.quantity:
            item.quantity -= line.quantity
        else:
            db.session.delete(item)
    cart.updated_at = utcnow()
    db.session.commit()


def merge_guest_cart(user) -> None:
    """Fold the session's guest cart into the account's cart (quantities added, capped by
    stock and the per-line maximum), then drop the guest cart. Commits."""
    cart_id = session.pop(SESSION_KEY, None)
    if not isinstance(cart_id, int):
        return
    guest = db.session.get(Cart, cart_id)
    if guest is None or guest.user_id is not None:
        return
    own = db.session.scalar(select(Cart).where(Cart.user_id == user.id))
    if own is None:
        guest.user_id = user.id  # nothing to merge into: the guest cart becomes theirs
        guest.updated_at = utcnow()
        db.session.commit()
        return
    existing = {item.variant_id: item for item in own.items}
    for item in list(guest.items):
        variant = item.variant
        if variant is None or not _sellable(variant) or _limit(variant.stock) == 0:
            continue  # gone or sold out: nothing to carry over
        mine = existing.get(item.variant_id)
        if mine is None:
            mine = CartItem(
                cart=own,
                variant_id=variant.id,
                quantity=0,
                seen_price_cents=item.seen_price_cents,
                product_name=item.product_name,
            )
            db.session.add(mine)
            existing[variant.id] = mine
        mine.quantity = min(mine.quantity + item.quantity, _limit(variant.stock))
    own.discount_code = own.discount_code or guest.discount_code
    db.session.delete(guest)
    own.updated_at = utcnow()
    db.session.commit()


@user_logged_in.connect
def _on_login(sender, user, **extra) -> None:
    merge_guest_cart(user)
