"""The shop's Jinja environment (``jomso.templating.ShopEnvironment``): templates see the
environment's globals as Jinja's own do, including ones added after a template was loaded (but
before it first ran), and a template's own globals stay its own."""

from jinja2 import DictLoader


def test_globals_follow_the_environment_and_stay_per_template(app):
    env = app.jinja_env.overlay(
        loader=DictLoader(
            {
                "macros.html": "{% macro shout(text) %}{{ text|upper }}{{ mark }}{% endmacro %}",
                "page.html": '{% from "macros.html" import shout %}{{ shout(word) }}',
            }
        )
    )
    page = env.get_template("page.html")
    env.globals["mark"] = "!"  # after the template was loaded
    assert page.render(word="hello") == "HELLO!"
    assert page.render(word="again") == "AGAIN!"  # the imported module, kept
    own = env.from_string("{{ mark }}{{ extra }}", globals={"extra": "+"})
    assert own.render() == "!+"
    assert env.from_string("{{ extra }}").render() == ""
    assert set(own.globals.keys()) == set(env.globals) | {"extra"}


def test_translations_escape_their_values_where_the_output_is_escaped(app):
    """``_()`` in a loop, in a block and at the top: the values it puts in are escaped when the
    output is (the evaluation context says so, inside ``{% autoescape %}`` too), the text of
    the catalog is not."""
    env = app.jinja_env.overlay(
        loader=DictLoader(
            {
                "base.html": "{% block body %}{% endblock %}",
                "page.html": (
                    '{% extends "base.html" %}{% block body %}'
                    "{% for name in names %}{{ _('Added %(name)s to your cart.', name=name) }}|"
                    "{% endfor %}"
                    "{% autoescape false %}{{ _('Hello %(name)s', name=names[0]) }}"
                    "{% endautoescape %}"
                    "{% endblock %}"
                ),
            }
        )
    )
    with app.test_request_context("/"):
        html = env.get_template("page.html").render(names=["<b>Tea</b>", "A & B"])
    assert html == (
        "Added &lt;b&gt;Tea&lt;/b&gt; to your cart.|Added A &amp; B to your cart.|Hello <b>Tea</b>"
    )
