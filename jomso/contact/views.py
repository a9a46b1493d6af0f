"""The contact and feedback form at /contact, also reached by "Ask about this product"."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from jomso.contact import bp, services, spam
from jomso.contact.forms import ContactForm
from jomso.contact.limits import contact_limits
from jomso.contact.models import Topic


@bp.route("", methods=["GET", "POST"])
@contact_limits
def contact_form():
    """GET ``?product=<slug>`` fills in the product. A post a robot filled in is answered like
    any other and thrown away; one sent faster than a person types comes back to be sent
    again; wrong input comes back with what was typed and a message beside the field (only
    that: "that was quick" is said only of a form that is otherwise right)."""
    form = ContactForm()
    choices = services.product_choices()
    form.product.choices = [("", _("No particular product"))] + (choices or [])
    notice = None
    if request.method == "GET":
        _prefill(form)
    elif form.is_submitted():
        verdict = spam.judge(form.website.data, form.started.data)
        if verdict is spam.Verdict.ROBOT:
            return redirect(url_for(".thanks"), code=303)
        product = services.active_product(form.product.data)
        # A form with mistakes comes back with those alone: the fill time is looked at only
        # once the form is right (an empty form sent at once is not "quick", it is empty).
        if form.validate():
            if verdict is spam.Verdict.TOO_FAST:
                notice = _("That was quick! Please check your message, then send it again.")
            elif form.product.data and product is None:
                form.product.errors.append(_("This product is no longer in the shop."))
            else:
                services.submit_enquiry(_enquiry_data(form, product))
                return redirect(url_for(".thanks"), code=303)
    form.started.data = spam.form_stamp()
    form.website.data = ""
    product = services.active_product(form.product.data)
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "contact/form.html",
            form=form,
            product=product,
            product_choices=choices,
            notice=notice,
        ),
        status,
    )


def _prefill(form: ContactForm) -> None:
    product = services.active_product(request.args.get("product", "").strip())
    if product is not None:
        form.product.data = product.slug
        form.topic.data = Topic.PRODUCT.value
    if current_user.is_authenticated:
        form.name.data = current_user.name
        form.email.data = current_user.email


def _enquiry_data(form: ContactForm, product) -> services.EnquiryData:
    return services.EnquiryData(
        name=form.name.data,
        email=form.email.normalized,
        topic=form.topic.data,
        message=form.message.data.strip(),
        phone=getattr(form.phone, "e164", None),
        product=product,
        order_number=form.order_number.data or None,
        newsletter=form.newsletter.data,
        user=current_user._get_current_object() if current_user.is_authenticated else None,
    )


@bp.get("/thanks")
def thanks():
    return render_template("contact/thanks.html")
