"""The owner's content pages under /staff/pages: the four pages with their last change, and
for each a new version written from the current one, previewed as visitors will read it, then
published with a sentence saying what changed."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from jomso.accounts.models import User
from jomso.extensions import db
from jomso.form_checks import report
from jomso.pages.forms import PageForm
from jomso.pages.services import (
    BODY_MAX,
    PAGES,
    ContentPage,
    latest_versions,
    normalize_body,
    page_versions,
    publish_page,
    render_page,
)
from jomso.permissions import Permission, permission_required
from jomso.request_limits import body_limit

bp = Blueprint("pages_admin", __name__, url_prefix="/staff/pages", cli_group=None)

edit_pages = permission_required(Permission.EDIT_PAGES)


def _publishers(versions) -> dict[int, str]:
    ids = {v.created_by for v in versions if v.created_by}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.email).where(User.id.in_(ids))).all())


@bp.get("")
@edit_pages
def page_list():
    """The four pages, each with its last change (or "not published yet")."""
    latest = latest_versions()
    return render_template(
        "staff/pages/list.html",
        pages=list(PAGES.values()),
        latest=latest,
        publishers=_publishers(latest.values()),
    )


@bp.route("/<page_slug>", methods=["GET", "POST"])
@body_limit(text_characters=BODY_MAX)
@edit_pages
def page_edit(page_slug: str):
    """Write a new version from the newest one. "Preview" shows it as visitors will read it;
    "Publish" (offered once previewed) makes it the page visitors see."""
    page = PAGES.get(page_slug)
    if page is None:
        abort(404)
    versions = page_versions(page.slug)
    current = versions[0] if versions else None
    base = str(current.version) if current else "0"
    form = PageForm(data={"body": current.body if current else "", "base_version": base})
    if request.method == "GET":
        return _render_edit(form, page, versions)
    action = request.form.get("action")
    valid = form.validate()  # every problem at once: the fields and an unchanged text
    body = normalize_body(form.body.data or "")
    if current is not None and body.strip() and body == current.body:
        unchanged = _("This is the text of the current version: change something.")
        valid = report(form, [("body", unchanged)]) and valid
    if not valid:
        return _render_edit(form, page, versions, preview=action in ("preview", "publish")), 422
    if form.base_version.data != base:
        form.body.errors.append(
            _(
                "Someone published version %(num)d while you were editing. Check your text "
                "against it, then publish again.",
                num=current.version,
            )
        )
        form.base_version.data = base
        return _render_edit(form, page, versions, preview=True), 422
    if action != "publish":
        return _render_edit(form, page, versions, preview=True)
    version = publish_page(page.slug, body, form.summary.data, current_user)
    flash(
        _(
            "Version %(num)d of “%(title)s” is published.",
            num=version.version,
            title=page.title,
        ),
        "success",
    )
    return redirect(url_for(".page_edit", page_slug=page.slug))


def _render_edit(form: PageForm, page: ContentPage, versions, preview: bool = False):
    draft = normalize_body(form.body.data or "")
    preview = preview and bool(draft.strip())
    return render_template(
        "staff/pages/edit.html",
        form=form,
        page=page,
        versions=versions,
        current=versions[0] if versions else None,
        next_number=(versions[0].version if versions else 0) + 1,
        publishers=_publishers(versions),
        preview=preview,
        rendered=render_page(draft) if preview else None,
    )
