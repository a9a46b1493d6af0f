"""What every template can use: shop settings, header data and small helpers."""

from __future__ import annotations

from flask import Flask, current_app

from jomso.permissions import Permission


def form_problems(form) -> list[tuple[str, str | None]]:
    """Every field error of a WTForms form, sub-forms included, in the order of the form:
    ``("Label: message", "#field-id")`` for the error summary at the top of a page
    (``partials/forms.html``). Hidden fields have no place to link to: ``None``."""
    problems: list[tuple[str, str | None]] = [(str(e), None) for e in form.form_errors]
    for field in form:
        if field.type == "FormField":
            problems.extend(form_problems(field.form))
            continue
        hidden = field.type in ("HiddenField", "CSRFTokenField")
        for error in field.errors:
            text = str(error) if hidden else f"{field.label.text}: {error}"
            problems.append((text, None if hidden else f"#{field.id}"))
    return problems


def init_templating(app: Flask) -> None:
    app.add_template_global(form_problems, "form_problems")

    @app.context_processor
    def _shop_context():
        return {
            "shop_name": current_app.config["SHOP_NAME"],
            "shop_email": current_app.config["SHOP_EMAIL"],
            "Permission": Permission,
        }
