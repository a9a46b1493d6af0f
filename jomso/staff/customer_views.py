"""Customer records (owner only). Every page here shows personal data, so each request
writes exactly one access-log entry."""

from flask import abort, render_template, request

from jomso.audit import record_personal_data_access
from jomso.pagination import paginate
from jomso.permissions import Permission, permission_required
from jomso.staff import bp
from jomso.staff.customers import customer_sections, customers_query, get_customer
from jomso.staff.forms import CustomerSearchForm

PER_PAGE = 50


@bp.get("/customers")
@permission_required(Permission.VIEW_CUSTOMERS)
def customer_list():
    form = CustomerSearchForm(formdata=request.args)
    search = (form.q.data or "") if form.validate() else ""
    pagination = paginate(customers_query(search), PER_PAGE)
    if pagination.items:  # an empty page shows nobody's data
        detail = f"list, page {pagination.page}" + (", search" if search else "")
        record_personal_data_access("staff.customer_list", None, detail)
    return render_template(
        "staff/customers/list.html", form=form, search=search, pagination=pagination
    )


@bp.get("/customers/<int:customer_id>")
@permission_required(Permission.VIEW_CUSTOMERS)
def customer_detail(customer_id: int):
    customer = get_customer(customer_id) or abort(404)
    sections = customer_sections(customer)
    record_personal_data_access(
        "staff.customer_detail", customer.id, ", ".join(s.key for s, _data in sections)
    )
    return render_template("staff/customers/detail.html", customer=customer, sections=sections)
