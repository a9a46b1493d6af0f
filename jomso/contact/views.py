from flask import abort

from jomso.contact import bp


@bp.route("", methods=["GET", "POST"])
def contact_form():
    abort(404)
