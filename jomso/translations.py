"""The translations, read from the ``.po`` catalogs the repository holds; no ``.mo`` files.

``translations/<language>/LC_MESSAGES/messages.po`` is the only form a translation takes: it
is committed, reviewed and diffed, and nothing generated from it is kept anywhere. The first
time a process needs a language it parses that catalog (Babel's ``read_po``), compiles it in
memory (``write_mo`` into a buffer, fuzzy entries left out as ``pybabel compile`` does) and
keeps the result for the life of the process. So a fresh clone shows its translations with
no build step, no folder must be writable, and no compiled copy can go stale behind its
source: a changed catalog shows after a restart.

``CatalogDomain`` replaces Flask-Babel's default domain (which only reads ``.mo`` files); its
cache is keyed by the catalog's path and modification time, so apps with other translation
folders (tests) never see each other's catalogs.
"""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from pathlib import Path
from threading import Lock

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import g
from flask_babel import Babel, Domain, _get_current_context, get_babel, get_locale
from werkzeug.utils import cached_property
from wtforms.i18n import messages_path

# The folder the shop's catalogs ship in, beside the ``jomso`` package.
SHIPPED = Path(__file__).resolve().parents[1] / "translations"
DOMAIN = "messages"

_loaded: dict[tuple[str, int], Translations] = {}
_lock = Lock()


def catalog_path(folder: str | Path, language: str) -> Path:
    return Path(folder) / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def shipped_languages(folder: str | Path = SHIPPED) -> list[str]:
    """The languages with a catalog in ``folder``, sorted."""
    root = Path(folder)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if catalog_path(root, p.name).is_file())


def _compiled(path: Path) -> Translations:
    key = (str(path), path.stat().st_mtime_ns)
    translations = _loaded.get(key)
    if translations is None:
        with _lock:
            translations = _loaded.get(key)
            if translations is None:
                with path.open("rb") as fh:
                    catalog = read_po(fh, domain=DOMAIN)
                buffer = BytesIO()
                write_mo(buffer, catalog, use_fuzzy=False)
                buffer.seek(0)
                translations = Translations(fp=buffer, domain=DOMAIN)
                _loaded[key] = translations
    return translations


def load(folders: list[str], locale: Locale | str) -> NullTranslations:
    """The translations for ``locale`` (``de_AT`` falls back to ``de``) from the first of
    ``folders`` that holds a catalog for it; English, the source, when none does."""
    locale = Locale.parse(locale)
    names = [str(locale), locale.language] if locale.territory else [locale.language]
    for folder in folders:
        for name in names:
            path = catalog_path(folder, name)
            if path.is_file():
                return _compiled(path)
    return NullTranslations()


@lru_cache(maxsize=32)
def _wtforms_catalog(locale: str) -> NullTranslations:
    return Translations.load(messages_path(), [locale], domain="wtforms")


class WTFormsMessages:
    """WTForms' own messages ("This field is required.") in the current locale, each language
    read once per process: Flask-WTF reads its catalog from disk again in every request that
    builds a form (``request.wtforms_translations``, set by ``jomso.i18n`` to this)."""

    def ugettext(self, string: str) -> str:
        return _wtforms_catalog(str(get_locale())).ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalog(str(get_locale())).ungettext(singular, plural, n)


WTFORMS_MESSAGES = WTFormsMessages()


def babel_namespace():
    """Flask-Babel's namespace of the current app context (``g._flask_babel``: the locale
    chosen, and what is kept with it), or None when there is none yet or no app context.
    One proxy lookup (Flask-Babel's own way takes three, about 3 µs: every translated string
    and every amount asks)."""
    try:
        return vars(g._get_current_object()).get("_flask_babel")
    except RuntimeError:  # outside any app context
        return None


class CatalogDomain(Domain):
    """Flask-Babel's domain, with the translations read from the ``.po`` catalogs."""

    def get_translations(self):
        # Asked for every string a page translates: the answer is kept on the context's Babel
        # namespace with its locale (a forced one, a mail in the order's language, differs).
        namespace = babel_namespace()
        kept = getattr(namespace, "jomso_translations", None)
        if kept is not None and kept[0] is getattr(namespace, "babel_locale", None):
            return kept[1]
        context = _get_current_context()
        if context is None:  # outside any app or request context
            return NullTranslations()
        locale = getattr(context, "babel_locale", None) or get_locale()
        kept = getattr(context, "jomso_translations", None)
        if kept is not None and kept[0] is locale:
            return kept[1]
        folders = tuple(get_babel().translation_directories)
        cache_key = (folders, str(locale))
        translations = self.cache.get(cache_key)
        if translations is None:
            translations = load(list(folders), locale)
            self.cache[cache_key] = translations
        context.jomso_translations = (locale, translations)
        return translations


class CatalogBabel(Babel):
    """The Babel extension whose default domain is ``CatalogDomain``."""

    @cached_property
    def domain_instance(self):
        return CatalogDomain(domain=self.domain)


__all__ = [
    "SHIPPED",
    "WTFORMS_MESSAGES",
    "CatalogBabel",
    "CatalogDomain",
    "catalog_path",
    "load",
    "shipped_languages",
]
