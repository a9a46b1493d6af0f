"""Form widgets shared by every form.

``KeptOptionsSelect`` is WTForms' ``Select`` for long lists that are the same for every visitor
(the countries, named in the visitor's language): its ``<option>`` tags are rendered once per
list of choices in each worker and kept, and each render marks only the chosen one. WTForms'
own widget escapes and formats all ~250 options on every render, twice on the checkout (the
billing and the delivery address): about a quarter of that page's rendering time.
"""

from __future__ import annotations

from markupsafe import Markup
from wtforms.widgets import Select, html_params

# Options rendered per list of choices; a handful of lists (one per language) in practice.
_KEPT_LISTS = 32
_kept: dict[tuple, tuple[str, ...]] = {}


class KeptOptionsSelect(Select):
    """A single select rendering the same HTML as ``Select`` from kept option tags."""

    def __call__(self, field, **kwargs):
        choices = field.choices
        if self.multiple or field.has_groups() or not isinstance(choices, list | tuple):
            return super().__call__(field, **kwargs)
        try:
            key = tuple((str(value), str(label)) for value, label in choices)
        except (TypeError, ValueError):  # choices with render_kw, or not pairs
            return super().__call__(field, **kwargs)
        options = _kept.get(key)
        if options is None:
            if len(_kept) >= _KEPT_LISTS:
                _kept.clear()
            options = _kept[key] = tuple(
                str(self.render_option(value, label, False)) for value, label in choices
            )
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for name in dir(flags):
            if name in self.validation_attrs and name not in kwargs:
                kwargs[name] = getattr(flags, name)
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        for (value, label), option in zip(choices, options, strict=True):
            if field.coerce(value) == field.data:
                option = str(self.render_option(value, label, True))
            html.append(option)
        html.append("</select>")
        # Every part came from html_params and render_option, which escape, as in Select.
        return Markup("".join(html))  # noqa: S704
