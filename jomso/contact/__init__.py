"""Contact and feedback: the form at /contact (this blueprint), the enquiry inbox for staff
(``staff_views.py``, blueprint ``enquiries``) and product interest (``interest_views.py``)."""

from flask import Blueprint

bp = Blueprint("contact", __name__, url_prefix="/contact", cli_group=None)

from jomso.contact import dashboard, data_rights, retention, views  # noqa: E402, F401
