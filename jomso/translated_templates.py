"""Templates compiled once per language, their fixed texts translated in at compile time.

A template's ``_("Your cart")`` is the same text on every page in one language, yet asking for
it when the page renders costs a call through Jinja's context, a catalog lookup and an escape
(about 5 µs; the cart page has some forty). ``ShopEnvironment`` (templating.py) keeps each
template compiled once per catalog (one per language: ``CatalogDomain`` keeps one per locale
for the life of the process) and, while compiling it, ``fold`` replaces each call of ``_`` or
``gettext`` with a constant text by its translation: Jinja then writes that text into the
compiled template as it writes the HTML around it, and nothing is left to do when it renders.
A call with values (``_("was %(price)s", price=...)``) keeps only the formatting, the values
escaped as ``_`` escapes them (``escaping.format_translation``).

Left as calls: texts given as variables, ``ngettext`` (its number is known when rendering),
and every call in a template that binds ``_`` or ``gettext`` itself (a ``{% set %}``, a loop,
a macro's argument), where the name is not the translation function. Templates compiled from a
string (``from_string``) are compiled once for any language: nothing is folded in them.
"""

from __future__ import annotations

from babel.support import NullTranslations
from flask import has_app_context
from jinja2 import nodes
from jinja2.visitor import NodeTransformer

from jomso.extensions import babel

GETTEXT_NAMES = frozenset({"_", "gettext"})
_FORMAT = "jomso.escaping.format_translation"  # the text formatted, its values escaped


def compiling_translations() -> NullTranslations | None:
    """The catalog templates loaded now are rendered with (the current locale's; a forced
    locale's for a mail), or None outside an app context: nothing is folded then."""
    if not has_app_context():
        return None
    return babel.domain_instance.get_translations()


def fold(tree: nodes.Template, translations: NullTranslations) -> nodes.Template:
    """``tree`` with its fixed ``_()`` and ``gettext()`` texts translated (see the module)."""
    if _binds_gettext(tree):
        return tree
    tree = _Folder(translations).visit(tree)
    tree.set_environment(tree.environment)
    return tree


def _binds_gettext(tree: nodes.Template) -> bool:
    if any(n.name in GETTEXT_NAMES and n.ctx != "load" for n in tree.find_all(nodes.Name)):
        return True
    imported = [n.target for n in tree.find_all(nodes.Import)]
    for from_import in tree.find_all(nodes.FromImport):
        imported.extend(n if isinstance(n, str) else n[1] for n in from_import.names)
    return any(name in GETTEXT_NAMES for name in imported)


class _Folder(NodeTransformer):
    def __init__(self, translations: NullTranslations) -> None:
        self.translations = translations

    def visit_Call(self, node: nodes.Call) -> nodes.Node:  # Jinja's visitor: visit_<node type>
        node = self.generic_visit(node)  # a value may itself be a translated text
        if not _fixed_gettext(node):
            return node
        text = self.translations.ugettext(node.args[0].value)
        lineno = node.lineno
        if node.kwargs:
            values = [
                nodes.Pair(nodes.Const(value.key), value.value, lineno=lineno)
                for value in node.kwargs
            ]
            return nodes.Call(
                nodes.ImportedName(_FORMAT, lineno=lineno),
                [
                    nodes.ContextReference(lineno=lineno),
                    nodes.Const(text, lineno=lineno),
                    nodes.Dict(values, lineno=lineno),
                ],
                [],
                None,
                None,
                lineno=lineno,
            )
        if "%" in text:  # "%%" written as "%", as formatting without values does
            try:
                text = text % {}
            except (TypeError, ValueError, KeyError):
                return node  # the call raises as it always did
        return nodes.MarkSafeIfAutoescape(nodes.Const(text, lineno=lineno), lineno=lineno)


def _fixed_gettext(node: nodes.Call) -> bool:
    return (
        isinstance(node.node, nodes.Name)
        and node.node.name in GETTEXT_NAMES
        and len(node.args) == 1
        and isinstance(node.args[0], nodes.Const)
        and isinstance(node.args[0].value, str)
        and node.dyn_args is None
        and node.dyn_kwargs is None
    )
