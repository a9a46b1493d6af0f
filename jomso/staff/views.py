from flask import abort

from jomso.staff import bp


@bp.route("/", methods=["GET", "POST"])
def dashboard():
    abort(404)
