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


def _in_language(app, env, name: str, language: str, **context) -> str:
    with app.test_request_context("/", headers={"Accept-Language": language}):
        return env.get_template(name).render(**context)


def test_each_language_gets_its_own_texts_from_one_template(app):
    """Templates are compiled once per language with their fixed texts translated in
    (``translated_templates``): the same template, asked for in turns, speaks each visitor's
    language, its values still escaped, and an amount written in the template itself is in
    the page's locale (the first language to compile it does not decide it for the others)."""
    env = app.jinja_env.overlay(
        loader=DictLoader(
            {
                "page.html": (
                    "{{ _('Your cart') }}|{{ _('was %(price)s', price=price) }}|"
                    "{{ _('was %(price)s', price=200000|money) }}|{{ _('100%% %(x)s', x=1) }}"
                ),
            }
        )
    )
    english = "Your cart|was &lt;b&gt;|was $2,000.00|100% 1"
    german = "Ihr Warenkorb|vorher &lt;b&gt;|vorher 2.000,00\xa0$|100% 1"
    assert _in_language(app, env, "page.html", "en", price="<b>") == english
    assert _in_language(app, env, "page.html", "de", price="<b>") == german
    assert _in_language(app, env, "page.html", "en", price="<b>") == english


def test_a_template_that_names_something_else_underscore_keeps_calling_it(app):
    """Where a template binds ``_`` itself (here a macro's parameter), its ``_()`` calls what
    it was given, as Jinja would call it: nothing is translated in at compile time there."""
    env = app.jinja_env.overlay(
        loader=DictLoader(
            {"page.html": "{% macro shout(_) %}{{ _('Your cart') }}{% endmacro %}{{ shout(up) }}"}
        )
    )
    assert _in_language(app, env, "page.html", "de", up=str.upper) == "YOUR CART"


class _Html:
    def __html__(self):
        return "<em>safe</em>"


class _Shouting(str):
    pass


def test_output_is_escaped_exactly_as_jinja_escapes_it(app):
    """The shop's templates write ``{{ value }}`` through ``output_escape``; the page is the
    one Jinja's own escaping makes, for every kind of value, and unescaped where a template
    turns escaping off."""
    from jinja2 import Environment
    from markupsafe import Markup

    source = (
        "{% for v in values %}[{{ v }}]{% endfor %}"
        "{% macro m(x) %}({{ x }}){% endmacro %}{{ m(values[0]) }}"
        "{% set kept %}{{ values[0] }}{% endset %}{{ kept }}"
        "{% autoescape false %}{{ values[0] }}{% endautoescape %}"
        "{% autoescape on_off %}{{ values[0] }}{% endautoescape %}"
        "{{ missing }}{{ values[0]|upper }}"
    )
    values = [
        "<script>alert('x') & \"y\"</script>",
        Markup("<b>kept</b>"),
        _Html(),
        _Shouting("<i>sub</i>"),
        5,
        None,
        2.5,
        "",
    ]
    stock = Environment(autoescape=True).from_string(source)
    for on_off in (True, False):
        with app.test_request_context("/"):
            ours = app.jinja_env.from_string(source).render(values=values, on_off=on_off)
        assert ours == stock.render(values=values, on_off=on_off)
        assert "&lt;script&gt;alert(&#39;x&#39;) &amp; &#34;y&#34;&lt;/script&gt;" in ours
        assert "[<b>kept</b>][<em>safe</em>][&lt;i&gt;sub&lt;/i&gt;][5][None][2.5][]" in ours


def test_translated_texts_with_values_are_formatted_as_markupsafe_formats_them():
    from decimal import Decimal

    from markupsafe import Markup

    from jomso.escaping import escaped_format

    cases = [
        ("Quantity of %(name)s", {"name": "<b>Tea & 'Co'</b>"}),
        ("%(num)d items, %(price)s", {"num": 3, "price": Markup("<i>€5</i>")}),
        ("%(amount).2f left, %(when)s", {"amount": 2.5, "when": None}),
        ("%(amount).2f as a decimal", {"amount": Decimal("1.25")}),
        ("%(num)d from text", {"num": "7"}),
        ("%(thing)r", {"thing": "<x>"}),
        ("%(html)s and %(flag)s", {"html": _Html(), "flag": True}),
        ("100%% of %(name)s", {"name": _Shouting("a<b")}),
    ]
    for text, values in cases:
        ours = escaped_format(text, values)
        assert ours == Markup(text) % values, text  # noqa: S704 - the texts above
        assert isinstance(ours, Markup)


def test_a_template_writes_translated_values_escaped_where_its_output_is(app):
    """A translated text with values, folded into the compiled template: its values are
    escaped, its own markup is not, and nothing is escaped where escaping is off."""
    env = app.jinja_env.overlay(
        loader=DictLoader(
            {
                "page.html": (
                    "{{ _('Quantity of %(name)s', name=name) }}|"
                    "{{ _('<em>%(name)s</em> added', name=name) }}|"
                    "{{ _('%(num)d left', num=count)|upper }}|"
                    "{% macro m(x) %}{{ _('In %(x)s', x=x) }}{% endmacro %}{{ m(name) }}|"
                    "{% autoescape false %}{{ _('Raw %(name)s', name=name) }}{% endautoescape %}"
                )
            }
        )
    )
    with app.test_request_context("/"):
        html = env.get_template("page.html").render(name="<b>Tea</b>", count=2)
    assert html == (
        "Quantity of &lt;b&gt;Tea&lt;/b&gt;|<em>&lt;b&gt;Tea&lt;/b&gt;</em> added|2 LEFT|"
        "In &lt;b&gt;Tea&lt;/b&gt;|Raw <b>Tea</b>"
    )
