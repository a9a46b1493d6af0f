from flask import abort

from jomso.privacy import bp


@bp.route("", methods=["GET", "POST"])
def policy():
    abort(404)
