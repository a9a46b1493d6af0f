"""What every template can use: shop settings, header data and small helpers; and the version
stamp on static URLs."""

from __future__ import annotations

import hashlib
import os
import threading
import weakref
from collections import ChainMap
from functools import lru_cache

from flask import Flask, current_app
from flask.templating import Environment
from flask_babel import gettext as _
from jinja2.compiler import CodeGenerator
from werkzeug.security import safe_join

from jomso.addresses import address_lines, layouts_for_script
from jomso.permissions import Permission
from jomso.translated_templates import compiling_translations, fold

# Compiled templates kept by the Jinja environment: each template in each language.
TEMPLATES_KEPT = 2000


@lru_cache(maxsize=256)
def _content_version(path: str, modified_ns: int, size: int) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:12]


def static_version(folder: str, filename: str) -> str | None:
    """A short hash of a static file's content (None for a file that is not there). Read once
    per file version: the cache key includes the file's modification time and size."""
    path = safe_join(folder, filename)
    try:
        info = os.stat(path) if path else None
    except OSError:
        return None
    if info is None:
        return None
    return _content_version(path, info.st_mtime_ns, info.st_size)


class _TemplateGlobals(ChainMap):
    """A template's globals over the environment's, as Jinja makes them, but whose ``keys()``
    is a set built in C. Jinja subtracts it from the render's global names at every
    ``{% from ... import ... %}`` to decide whether the imported template's module can be the
    one it keeps; ChainMap's own keys view does that name by name: 37 µs an import with the
    shop's 33 globals, three imports on the cart page. Built at each call, so it still follows
    the environment's globals."""

    def keys(self):
        return set().union(*self.maps)


class _ShopCodeGenerator(CodeGenerator):
    """Jinja's compiler, writing ``output_escape(...)`` (``jomso.escaping``) where it writes
    ``escape(...)`` around an expression an autoescaping template outputs (a page's rows:
    about 70 expressions on the cart page, 5% of the request). Templates that switch escaping
    at run time (``{% autoescape %}`` with a variable) keep Jinja's own code."""

    def visit_Template(self, node, frame=None) -> None:
        self.writeline("from jomso.escaping import output_escape")
        super().visit_Template(node, frame)

    def _output_child_pre(self, node, frame, finalize) -> None:
        eval_ctx = frame.eval_ctx
        if eval_ctx.autoescape and not eval_ctx.volatile and finalize.src is None:
            self.write("output_escape(")
        else:
            super()._output_child_pre(node, frame, finalize)


class ShopEnvironment(Environment):
    """Flask's Jinja environment, with templates' globals as ``_TemplateGlobals``, each
    template kept compiled once per language, its fixed texts translated in
    (``translated_templates``), and its output escaped by ``escaping.output_escape``."""

    code_generator_class = _ShopCodeGenerator

    def __init__(self, *args, **options) -> None:
        # Room for every template in each language (the default, 400, is one language's).
        options.setdefault("cache_size", TEMPLATES_KEPT)
        super().__init__(*args, **options)
        self._compiling = threading.local()

    def make_globals(self, d):
        return _TemplateGlobals({} if d is None else d, self.globals)

    def _load_template(self, name, globals):
        # Jinja's own keeps one compiled template per name; here one per name and catalog.
        if self.loader is None:
            raise TypeError("no loader for this environment specified")
        translations = compiling_translations()
        key = (weakref.ref(self.loader), name, translations)
        template = self.cache.get(key) if self.cache is not None else None
        if template is None or (self.auto_reload and not template.is_up_to_date):
            self._compiling.translations = translations
            try:
                template = self.loader.load(self, name, self.make_globals(globals))
            finally:
                self._compiling.translations = None
            if self.cache is not None:
                self.cache[key] = template
        elif globals:
            template.globals.update(globals)
        return template

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        translations = getattr(self._compiling, "translations", None)
        return tree if translations is None else fold(tree, translations)


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
    # {% do list.append(x) %}: a call for its effect, without a variable to put its result in.
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_global(form_problems, "form_problems")
    # An address as its country prints it, line by line (templates/partials/address.html).
    app.jinja_env.filters["address_lines"] = address_lines
    # Every country's address form layout, for static/js/address.js.
    app.jinja_env.globals["address_layouts"] = layouts_for_script

    @app.context_processor
    def _shop_context():
        return {
            "shop_name": current_app.config["SHOP_NAME"],
            "shop_email": current_app.config["SHOP_EMAIL"],
            "shop_description": shop_description,
            "Permission": Permission,
        }

    @app.url_defaults
    def _versioned_static_urls(endpoint, values):
        # /static/css/shop.css?v=<content hash>: the proxy may keep static files for a year
        # (deploy/nginx/jomso.conf), and an upgrade that changes a file changes its URL.
        if endpoint == "static" and "v" not in values and app.static_folder:
            version = static_version(app.static_folder, values.get("filename", ""))
            if version:
                values["v"] = version


def shop_description() -> str:
    """The meta description of every page that has none of its own (``SHOP_DESCRIPTION``)."""
    return current_app.config.get("SHOP_DESCRIPTION") or _(
        "%(shop)s: browse the catalog, order online, pay securely by card and follow your parcel.",
        shop=current_app.config["SHOP_NAME"],
    )
