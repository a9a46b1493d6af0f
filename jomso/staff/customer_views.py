"""Customer records (owner only). Every page here shows personal data, so each request
writes exactly one access-log entry."""

from flask import abort, current_app, render_template, request
from sqlalchemy import func

from jomso.accounts.models import User
from jomso.audit import record_personal_data_access
from jomso.orders.queries import customer_totals, customer_totals_query
from jomso.pagination import paginate
from jomso.permissions import Permission, permission_required
from jomso.staff.blueprint import bp
from jomso.staff.customers import customer_sections, customers_query, get_customer
from jomso.staff.forms import CustomerSearchForm

PER_PAGE = 50


@bp.get("/customers")
@permission_required(Permission.VIEW_CUSTOMERS)
def customer_list():
    """Customer accounts with the number of orders each placed and what they spent, searched
    and sorted; each links to the record."""
    form = CustomerSearchForm(formdata=request.args)
    valid = form.validate()
    search = (form.q.data or "") if valid else ""
    sort = form.sort.data if not form.sort.errors else "newest"
    query = customers_query(search, sort)
    if sort in ("orders", "spent"):  # sorted by what the orders say
        totals = customer_totals_query()
        column = totals.c.orders if sort == "orders" else totals.c.spent_cents
        query = (
            query.outerjoin(totals, totals.c.user_id == User.id)
            .order_by(None)
            .order_by(func.coalesce(column, 0).desc(), User.created_at.desc(), User.id.desc())
        )
    pagination = paginate(query, PER_PAGE)
    html = render_template(
        "staff/customers/list.html",
        form=form,
        search=search,
        pagination=pagination,
        totals=customer_totals(c.id for c in pagination.items),
        currency=current_app.config["CURRENCY"],
    )
    if pagination.items:  # an empty page shows nobody's data; logged once the page is made
        detail = f"list, page {pagination.page}" + (", search" if search else "")
        record_personal_data_access("staff.customer_list", None, detail)
    return html


@bp.get("/customers/<int:customer_id>")
@permission_required(Permission.VIEW_CUSTOMERS)
def customer_detail(customer_id: int):
    customer = get_customer(customer_id) or abort(404)
    sections = customer_sections(customer)
    record_personal_data_access(
        "staff.customer_detail", customer.id, ", ".join(s.key for s, _data in sections)
    )
    return render_template("staff/customers/detail.html", customer=customer, sections=sections)
