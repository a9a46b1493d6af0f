"""The kept-options select renders exactly what WTForms' own select renders."""

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField

from jomso.form_widgets import KeptOptionsSelect

CHOICES = [("US", "United States"), ("FR", "France & <Co>"), ("DE", "Germany")]


def _forms(choices, data):
    class Plain(Form):
        country = SelectField("Country", choices=choices, render_kw={"autocomplete": "country"})

    class Kept(Form):
        country = SelectField(
            "Country",
            choices=choices,
            render_kw={"autocomplete": "country"},
            widget=KeptOptionsSelect(),
        )

    return Plain(MultiDict(data)), Kept(MultiDict(data))


@pytest.mark.parametrize("chosen", [None, "US", "FR", "DE", "XX"])
def test_the_same_html_as_wtforms_select(chosen):
    plain, kept = _forms(CHOICES, {"country": chosen} if chosen else {})
    for _ in range(2):  # made, then from the kept options
        assert str(kept.country(**{"aria-invalid": "true"})) == str(
            plain.country(**{"aria-invalid": "true"})
        )
    html = str(kept.country())
    assert "France &amp; &lt;Co&gt;" in html
    assert html.count("selected") == (1 if chosen in ("US", "FR", "DE") else 0)


def test_another_list_of_choices_is_rendered_as_its_own():
    _, first = _forms(CHOICES, {"country": "DE"})
    str(first.country())
    german = [("US", "Vereinigte Staaten"), ("DE", "Deutschland")]
    plain, kept = _forms(german, {"country": "DE"})
    assert str(kept.country()) == str(plain.country())
    assert "Deutschland" in str(kept.country()) and "Germany" not in str(kept.country())
