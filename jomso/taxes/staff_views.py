"""The owner's tax page at /staff/taxes: whether prices include tax, how shipping is taxed,
the tax classes and the rates per place, and loading the EU rates (settings are the owner's:
``ADMINISTER``)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from jomso.extensions import db
from jomso.form_checks import accepted, form_status
from jomso.permissions import Permission, permission_required
from jomso.taxes import editing, seeding, services
from jomso.taxes.forms import ClassForm, RateForm, SettingsForm
from jomso.taxes.models import TaxClass, TaxRate
from jomso.taxes.money import percent_text

bp = Blueprint("taxes_admin", __name__, url_prefix="/staff/taxes", cli_group=None)
# For the storefront's templates: "incl. VAT" or "plus tax" beside prices.
bp.add_app_template_global(services.price_note, "tax_price_note")
bp.add_app_template_global(services.prices_include_tax, "prices_include_tax")
bp.add_app_template_global(services.tax_label, "tax_label")
bp.add_app_template_filter(percent_text, "tax_percent")

administer = permission_required(Permission.ADMINISTER)


def _settings_form() -> SettingsForm:
    settings = services.current_settings()
    return SettingsForm(
        data={
            "prices_include_tax": "yes" if settings.prices_include_tax else "no",
            "shipping_rule": settings.shipping_rule,
        }
    )


def _list_page(settings_form: SettingsForm, status: int = 200):
    classes = services.all_classes()
    return render_template(
        "staff/taxes/list.html",
        form=settings_form,
        classes=classes,
        eu_countries=len(seeding.eu_rates()),
    ), status


@bp.get("")
@administer
def tax_page():
    return _list_page(_settings_form())


@bp.post("")
@administer
def save_settings():
    form = SettingsForm()
    if not form.validate():
        return _list_page(form, 422)
    editing.save_settings(form.prices_include_tax.data == "yes", form.shipping_rule.data)
    flash(_("The tax settings are saved."), "success")
    return redirect(url_for(".tax_page"))


@bp.post("/eu-rates")
@administer
def seed_eu():
    """Load the EU standard and reduced rates from the file shipped with the shop."""
    count = seeding.seed_eu_rates()
    flash(
        _(
            "The standard and reduced rates of %(num)d EU countries are set. Check them for "
            "the countries you sell to.",
            num=count,
        ),
        "success",
    )
    return redirect(url_for(".tax_page"))


@bp.route("/classes/new", methods=["GET", "POST"], defaults={"class_id": None})
@bp.route("/classes/<int:class_id>", methods=["GET", "POST"])
@administer
def class_edit(class_id: int | None):
    tax_class = db.get_or_404(TaxClass, class_id) if class_id is not None else None
    form = ClassForm(data={"name": tax_class.name, "code": tax_class.code} if tax_class else None)
    if tax_class is not None:
        form.code.data = tax_class.code  # the code never changes
    if accepted(form, editing.class_problems, tax_class):
        tax_class = editing.save_class(form, tax_class)
        flash(_("The tax class “%(name)s” is saved.", name=tax_class.name), "success")
        return redirect(url_for(".tax_page"))
    refusal = editing.delete_class_refusal(tax_class) if tax_class else None
    return render_template(
        "staff/taxes/class.html", form=form, tax_class=tax_class, refusal=refusal
    ), form_status(form)


@bp.post("/classes/<int:class_id>/delete")
@administer
def class_delete(class_id: int):
    tax_class = db.get_or_404(TaxClass, class_id)
    refusal = editing.delete_class_refusal(tax_class)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for(".class_edit", class_id=tax_class.id), 303)
    name = tax_class.name
    editing.delete_class(tax_class)
    flash(_("The tax class “%(name)s” and its rates are deleted.", name=name), "success")
    return redirect(url_for(".tax_page"))


@bp.route("/rates/new", methods=["GET", "POST"], defaults={"rate_id": None})
@bp.route("/rates/<int:rate_id>", methods=["GET", "POST"])
@administer
def rate_edit(rate_id: int | None):
    rate = db.get_or_404(TaxRate, rate_id) if rate_id is not None else None
    if rate is not None:
        data = {
            "tax_class": rate.tax_class.code,
            "place": rate.code,
            "rate": percent_text(rate.percent_thousandths),
        }
    else:
        data = {"tax_class": request.args.get("tax_class", "standard")}
    form = RateForm(data=data)
    form.tax_class.choices = services.class_choices()
    if accepted(form, editing.rate_problems, rate):
        rate = editing.save_rate(form, rate)
        flash(_("The rate for %(code)s is saved.", code=rate.code), "success")
        return redirect(url_for(".tax_page"))
    return render_template("staff/taxes/rate.html", form=form, rate=rate), form_status(form)


@bp.post("/rates/<int:rate_id>/delete")
@administer
def rate_delete(rate_id: int):
    rate = db.get_or_404(TaxRate, rate_id)
    code = rate.code
    editing.delete_rate(rate)
    flash(_("The rate for %(code)s is deleted.", code=code), "success")
    return redirect(url_for(".tax_page"))
