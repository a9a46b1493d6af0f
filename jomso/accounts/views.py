from flask import abort

from jomso.accounts import bp


@bp.route("/login", methods=["GET", "POST"])
def login():
    abort(404)


@bp.route("/register", methods=["GET", "POST"])
def register():
    abort(404)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    abort(404)


@bp.route("", methods=["GET", "POST"])
def overview():
    abort(404)
