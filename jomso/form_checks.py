"""Every problem with a form in one pass.

A form's validators check what was typed. Some rules need the database or a service: a SKU
another product has, an address already on the staff, a policy text that did not change.
When those ran only once the form was valid, people fixed one error, sent the form again and
met the next. Views run both and show everything together::

    valid = form.validate()
    valid = report(form, product_editing.product_problems(data, product)) and valid

A problem is ``(field name, message)``. A field name the form does not have (or None) puts
the message among the form's own errors (``form.form_errors``). The error summary at the top
of a page (``partials/forms.html``) lists both kinds.
"""

from __future__ import annotations

from collections.abc import Iterable

Problem = tuple[str | None, str]


def report(form, problems: Iterable[Problem]) -> bool:
    """Put each problem beside its field; True when there was none."""
    clean = True
    for field_name, message in problems:
        clean = False
        field = form._fields.get(field_name) if field_name else None
        if field is not None:
            if message not in field.errors:
                field.errors = [*field.errors, message]
        elif message not in form.form_errors:
            form.form_errors.append(message)
    return clean
