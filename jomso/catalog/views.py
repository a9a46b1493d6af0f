from flask import render_template

from jomso.catalog import bp


@bp.app_context_processor
def _navigation():
    return {"nav_categories": []}


@bp.get("/")
def home():
    return render_template("catalog/home.html")


@bp.get("/products")
def product_list():
    return render_template("catalog/home.html")


@bp.get("/products/<slug>")
def product_detail(slug):
    return render_template("catalog/home.html")
