from flask import abort

from jomso.cart import bp


@bp.route("", methods=["GET", "POST"])
def view_cart():
    abort(404)
