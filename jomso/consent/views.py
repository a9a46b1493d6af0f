from flask import abort

from jomso.consent import bp


@bp.route("", methods=["GET", "POST"])
def settings():
    abort(404)
