"""One version number: ``jomso.__version__`` and pyproject.toml agree, the changelog describes
that release, and ``flask --app app version`` shows it with the schema's revision."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from sqlalchemy import text

import jomso
from jomso.extensions import db
from jomso.schema import head_revision

ROOT = Path(__file__).resolve().parent.parent
CHANGELOG = ROOT / "docs" / "changelog.md"


def test_one_version_in_the_code_and_the_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["version"] == jomso.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+)?", jomso.__version__)


def test_the_changelog_describes_this_release_first():
    release, _, dev = jomso.__version__.partition(".dev")
    headings = re.findall(r"^## (\S+) \((.+)\)$", CHANGELOG.read_text(encoding="utf-8"), re.M)
    assert headings, "no release headings in docs/changelog.md"
    assert headings[0][0] == release
    # A .devN version is on its way to a release that is not out yet; a release has its date.
    if dev:
        assert headings[0][1] == "unreleased"
    else:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", headings[0][1])
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) for _, date in headings[1:])


def test_version_command_shows_the_version_and_the_schema(app, runner):
    with app.app_context():
        head = head_revision()
    result = runner.invoke(args=["version"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Jomso {jomso.__version__}",
        f"Database schema: {head} (up to date)",
    ]

    with app.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        db.session.commit()
    assert f"0001 (behind: this version migrates it to {head} with init-db)" in (
        runner.invoke(args=["version"]).output
    )
    with app.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        db.session.commit()
    assert "9999 (newer than this version knows" in runner.invoke(args=["version"]).output
