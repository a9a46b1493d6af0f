"""Every problem with a form in one pass.

A form's validators check what was typed. Some rules need the database or a service: a SKU
another product has, an address already on the staff, a policy text that did not change.
When those ran only once the form was valid, people fixed one error, sent the form again and
met the next. Views run both and show everything together::

    valid = form.validate()
    valid = report(form, product_editing.product_problems(data, product)) and valid

A staff page that creates or edits one thing says the same with ``accepted``, and answers a
form sent back with ``form_status`` (the shape of the tax, shipping and discount editors)::

    if accepted(form, editing.zone_problems, zone):
        zone = editing.save_zone(form, zone)
        flash(...)
        return redirect(...)
    return render_template(..., form=form, zone=zone), form_status(form)

A problem is ``(field name, message)``. A field name the form does not have (or None) puts
the message among the form's own errors (``form.form_errors``). The error summary at the top
of a page (``partials/forms.html``) lists both kinds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

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


def accepted(form, problems: Callable[..., Iterable[Problem]], *args) -> bool:
    """Whether ``form`` was sent and passes both its fields' checks and ``problems(form,
    *args)`` (run after them, so they may skip a field already wrong), each problem put
    beside its field. False when the form is only shown."""
    if not form.is_submitted():
        return False
    valid = form.validate()
    return report(form, problems(form, *args)) and valid


def form_status(form) -> int:
    """The status of a page showing ``form``: 422 when it came back with problems."""
    return 422 if form.errors else 200
