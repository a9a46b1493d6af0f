"""The documentation: every setting has a row for owners, the README stays one screen that maps
``docs/``, the links between the pages resolve, and the code the pages name exists."""

from __future__ import annotations

import importlib
import re
import subprocess
from collections import Counter
from pathlib import Path

from jomso.config import Defaults

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
OWNERS = DOCS / "owners.md"

# Settings the code reads but an owner cannot set: load_config derives or fixes them.
NOT_FOR_OWNERS = {
    "SQLALCHEMY_DATABASE_URI": "made by load_config from DATABASE_URL",
    "BABEL_DEFAULT_LOCALE": "made by load_config from LOCALE",
    "BABEL_DEFAULT_TIMEZONE": "made by load_config from TIMEZONE",
    "PERMANENT_SESSION_LIFETIME": "fixed at 14 days by load_config",
    "TESTING": "set by the test suite only",
}

# Documented settings that no code under jomso/ reads by name: the extensions read them.
READ_BY_EXTENSIONS = {
    "BABEL_TRANSLATION_DIRECTORIES": "Flask-Babel",
}

# config["X"], config.get("X"), app.config["X"], current_app.config.get("X"), cfg["X"]...
_CONFIG_READ = re.compile(
    r"\b(?:config|cfg)\s*(?:\[|\.get\(|\.setdefault\()\s*[\"']([A-Z][A-Z0-9_]*)[\"']"
)
_TESTING_READ = re.compile(r"\.testing\b")  # Flask's app.testing is the TESTING setting
_ENV_PREFIXED = re.compile(r"\{ENV_PREFIX\}_([A-Z][A-Z0-9_]*)")
_ENV_LITERAL = re.compile(r"\bJOMSO_([A-Z][A-Z0-9_]*)")
_TABLE_ROW = re.compile(r"^\| `JOMSO_([A-Z][A-Z0-9_]*)` \|", re.MULTILINE)


def _settings_read_by_the_code() -> set[str]:
    names = {name for name in dir(Defaults) if not name.startswith("_")}
    # gunicorn's settings file reads its own (JOMSO_BIND, JOMSO_WORKERS) from the environment.
    for path in [*sorted((ROOT / "jomso").rglob("*.py")), ROOT / "gunicorn.conf.py"]:
        source = path.read_text(encoding="utf-8")
        names.update(_CONFIG_READ.findall(source))
        names.update(_ENV_PREFIXED.findall(source))
        names.update(_ENV_LITERAL.findall(source))
        if _TESTING_READ.search(source):
            names.add("TESTING")
    return names


def _documented_settings() -> list[str]:
    return _TABLE_ROW.findall(OWNERS.read_text(encoding="utf-8"))


def test_every_setting_is_documented_for_owners():
    read = _settings_read_by_the_code()
    documented = _documented_settings()

    missing = sorted(read - set(documented) - set(NOT_FOR_OWNERS))
    assert not missing, f"settings without a row in docs/owners.md: {missing}"

    twice = sorted(name for name, count in Counter(documented).items() if count > 1)
    assert not twice, f"settings with two rows in docs/owners.md: {twice}"

    stale = sorted(set(NOT_FOR_OWNERS) - read)
    assert not stale, f"exceptions the code no longer reads: {stale}"

    unknown = sorted(set(documented) - read - set(READ_BY_EXTENSIONS))
    assert not unknown, f"rows in docs/owners.md for settings nothing reads: {unknown}"

    wrongly_documented = sorted(set(documented) & set(NOT_FOR_OWNERS))
    assert not wrongly_documented, f"derived settings documented as settable: {wrongly_documented}"


def test_readme_fits_a_screen_and_maps_the_docs():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) < 80
    assert (
        "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt "
        "&& .venv/bin/flask --app app demo"
    ) in text
    assert "bash .ci/run" in text
    linked = set(re.findall(r"\]\((docs/[^)#\s]+)", text))
    pages = {f"docs/{path.name}" for path in DOCS.iterdir() if path.is_file()}
    assert pages, "docs/ is empty"
    assert pages <= linked, f"docs not linked from the README: {sorted(pages - linked)}"


_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def _without_code(text: str) -> str:
    return _FENCE.sub("", text)


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: link markup reduced to its text, lowercase,
    punctuation dropped except hyphens and underscores, each space a hyphen."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    anchors = set()
    seen: Counter[str] = Counter()
    for heading in _HEADING.findall(_without_code(path.read_text(encoding="utf-8"))):
        slug = github_slug(heading)
        anchors.add(f"{slug}-{seen[slug]}" if seen[slug] else slug)
        seen[slug] += 1
    return anchors


def _relative_links(path: Path) -> list[str]:
    text = _INLINE_CODE.sub("", _without_code(path.read_text(encoding="utf-8")))
    return [
        target
        for target in _LINK.findall(text)
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) and not target.startswith("//")
    ]


def test_github_slug_follows_githubs_rules():
    assert github_slug("Download my data (`/account/export`)") == "download-my-data-accountexport"
    assert github_slug("Contact, enquiries and new-product emails") == (
        "contact-enquiries-and-new-product-emails"
    )
    assert github_slug("Settle and sample_webhook") == "settle-and-sample_webhook"


def test_doc_links_resolve():
    broken = []
    for source in [README, *sorted(DOCS.glob("*.md"))]:
        links = _relative_links(source)
        for target in links:
            file_part, _, anchor = target.partition("#")
            destination = (source.parent / file_part).resolve() if file_part else source
            where = f"{source.relative_to(ROOT)}: {target}"
            if not destination.is_file():
                broken.append(f"{where} (no such file)")
            elif anchor and anchor not in _anchors(destination):
                broken.append(f"{where} (no such heading)")
    assert not broken, "broken links:\n" + "\n".join(broken)


# Code named in the docs: `jomso/orders/placing.py`, `tests/mailbox.py`, `jomso.mail.send_mail`.
_PATH_REFERENCE = re.compile(r"`((?:jomso|tests|templates|static)/[\w./<>-]*?)`")
_DOTTED_REFERENCE = re.compile(r"`(jomso(?:\.\w+)+)")
# Made by the translation steps and the browser tests, not kept in the repository.
GENERATED = ("jomso/translations", "tests/browser/screenshots")


def _resolves(dotted: str) -> bool:
    """``jomso.a.b.c``: the longest importable module prefix, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


def test_code_named_in_the_docs_exists(app):
    missing = []
    for source in [README, *sorted(DOCS.glob("*.md"))]:
        text = source.read_text(encoding="utf-8")
        for path in _PATH_REFERENCE.findall(text):
            if "<" in path or path.startswith(GENERATED):
                continue
            if not (ROOT / path.rstrip("/")).exists():
                missing.append(f"{source.name}: {path}")
        for dotted in _DOTTED_REFERENCE.findall(text):
            if not _resolves(dotted):
                missing.append(f"{source.name}: {dotted}")
    assert missing == []


def test_no_file_holds_a_merge_conflict_marker():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    marked = []
    for name in tracked:
        path = ROOT / name
        if not path.is_file() or path.suffix in {".png", ".jpg", ".webp", ".ico", ".gz"}:
            continue
        text = path.read_text(errors="ignore")
        if re.search(r"^(<{7} |>{7} )", text, re.MULTILINE):
            marked.append(name)
    assert marked == []
