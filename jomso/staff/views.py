from flask import render_template

from jomso.permissions import staff_required
from jomso.staff import bp


@bp.get("/")
@staff_required
def dashboard():
    return render_template("staff/dashboard.html")
