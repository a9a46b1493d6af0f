"""Storefront pages: home, product list (search, category, sort, pages), product, images."""

from __future__ import annotations

from flask import abort, current_app, g, render_template, request, send_file, url_for

from jomso.cart.forms import AddToCartForm
from jomso.catalog import bp, findable, list_filters, queries
from jomso.catalog.cards import LOW_STOCK, new_ids, product_cards, stock_state
from jomso.catalog.forms import RestockForm
from jomso.catalog.images import image_path, image_url
from jomso.catalog.markdown import render_markdown
from jomso.catalog.models import Product
from jomso.catalog.page_cache import cached_page, kept_per_revision, visitor_piece
from jomso.catalog.variant_choice import VariantChoice, chosen_variant, picker_data, value_states
from jomso.pagination import requested_page
from jomso.urls import shop_url_for
from jomso.visitor_pieces import blank, here

IMAGE_MAX_AGE = 365 * 24 * 3600

bp.add_app_template_global(image_url, "image_url")
bp.add_app_template_global(stock_state, "stock_label")
bp.add_app_template_global(visitor_piece, "visitor_piece")
bp.add_app_template_global(here, "here")
bp.add_app_template_global(blank, "blank")


@bp.app_context_processor
def _navigation():
    # A callable, kept per catalog revision: a page served from the cache never asks for it.
    return {"nav_categories": lambda: kept_per_revision("nav_categories", _menu)}


def _menu() -> tuple:
    return tuple(queries.nav_categories())


@bp.get("/")
@cached_page()
def home():
    return render_template(
        "catalog/home.html",
        categories=queries.category_tiles(),
        newest=product_cards(queries.newest_products(8)),
        canonical_url=shop_url_for("catalog.home"),
    )


@bp.get("/products")
@cached_page(args=("q", "category", "sort", "page", "exact"), normalised=list_filters.cache_key)
def product_list():
    """The catalog: ``?q=`` search, ``?category=<slug>``, ``?sort=``, ``?page=``, and the
    filters ``?in_stock=1``, ``?min=``, ``?max=`` (``list_filters``). Nonsense sort or page
    values fall back to the default and the nearest page, a wrong price filter is left out
    with a message beside its field; an unknown category is a 404. A search that finds
    nothing shows the results of its words corrected, if any (``?exact=1``: the search as
    typed, never corrected); one that finds few offers them."""
    query = queries.clean_query(request.args.get("q"))
    category = None
    if slug := request.args.get("category", "").strip():
        category = queries.category_by_slug(slug)
        if category is None:
            abort(404)
    default_sort = queries.RELEVANCE if query else "newest"
    sort = request.args.get("sort", default_sort)
    if sort not in queries.SORTS and not (query and sort == queries.RELEVANCE):
        sort = default_sort
    requested = list_filters.requested_filters(request.args)
    result = queries.list_products(
        query=query,
        category=category,
        sort=sort,
        page=requested_page(),
        per_page=int(current_app.config["PRODUCTS_PER_PAGE"]),
        correct=request.args.get("exact") != "1",
        filters=requested.filters,
    )
    links = {"q": query or None, "category": category.slug if category else None}
    if sort != default_sort:
        links["sort"] = sort
    links.update(requested.link_args)
    spelling = {}
    if result.suggestion:
        spelling["suggestion_url"] = url_for(
            "catalog.product_list", **{**links, "q": result.suggestion}
        )
    if result.showing_suggestion:
        spelling["as_typed_url"] = url_for("catalog.product_list", **links, exact=1)
    return render_template(
        "catalog/list.html",
        result=result,
        pages=page_links(result, url_for("catalog.product_list", **links)),
        cards=product_cards(result.items),
        query=query,
        category=category,
        sort=sort,
        default_sort=default_sort,
        filters=requested,
        canonical_url=findable.list_canonical_url(category, query, result.page),
        description=findable.list_description(category, query, result.total),
        **spelling,
    )


@bp.get("/products/<slug>")
@cached_page(args=("picture", "option1", "option2", "option3"), keep=("analytics_product_id",))
def product_detail(slug):
    product = queries.active_product(slug)
    if product is None:
        abort(404)
    g.analytics_product_id = product.id  # "top products viewed" counts by id, not by slug
    picture = request.args.get("picture", 1, type=int)
    return render_product_page(product, AddToCartForm(product_id=product.id), picture=picture)


def page_links(result: queries.ProductPage, base: str) -> dict:
    """URLs for the pagination: previous, next and numbered pages (None marks a gap)."""
    joiner = "&" if "?" in base else "?"

    def link(number):
        return f"{base}{joiner}page={number}" if number > 1 else base

    return {
        "prev": link(result.page - 1) if result.has_prev else None,
        "next": link(result.page + 1) if result.has_next else None,
        "numbers": [(n, link(n) if n else None) for n in result.page_numbers()],
    }


def render_product_page(
    product: Product,
    form: AddToCartForm,
    status: int = 200,
    picture: int = 1,
    choice: VariantChoice | None = None,
    restock_form: RestockForm | None = None,
):
    """The product page; the cart shows it again, with the error, for a wrong quantity.

    ``picture`` (``?picture=N``, counted from 1) is the gallery's main picture: the thumbnails
    link to it, so the gallery works without JavaScript. A number out of range (a picture
    deleted since the link was made) shows the first."""
    if not 1 <= picture <= len(product.images):
        picture = 1
    if choice is None:
        choice = chosen_variant(product, request.args, required=False)
    variant = choice.variant
    # The stock bounds the quantity only from "only N left" down: above, the page stays the
    # same as the stock moves, so a sale does not make it again (page_cache.shown_change);
    # adding to the cart checks the stock itself.
    limit = int(current_app.config["CART_MAX_QUANTITY"])
    stock = variant.stock if variant else 0
    if stock <= LOW_STOCK:
        limit = min(stock, limit)
    form.quantity.render_kw = {"min": 1, "max": max(1, limit)}
    if restock_form is None and variant is not None and variant.stock <= 0:
        restock_form = RestockForm(formdata=None, variant=str(variant.id))
    return (
        render_template(
            "catalog/product.html",
            product=product,
            form=form,
            picture=picture,
            choice=choice,
            variant=variant,
            restock_form=restock_form,
            variant_args={f"option{n}": v for n, v in enumerate(variant.values, start=1)}
            if variant
            else {},
            value_states=value_states(product),
            picker=picker_data(product, int(current_app.config["CART_MAX_QUANTITY"]), LOW_STOCK),
            description=render_markdown(product.description),
            is_new=product.id in new_ids(),
            seo=findable.product_page_data(product),
        ),
        status,
    )


@bp.get("/images/<key>-<int:size>.webp")
def product_image(key, size):
    """A product thumbnail. Keys are content hashes, so a URL's bytes never change."""
    path = image_path(key, size)
    if path is None or not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/webp", max_age=IMAGE_MAX_AGE, conditional=True)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response
