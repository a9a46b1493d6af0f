"""Static URLs carry a hash of the file's content (jomso/templating.py), so the proxy can keep
them for a year and an upgrade that changes a file changes its URL."""

import hashlib
import re
from pathlib import Path

from jomso.templating import static_version

ROOT = Path(__file__).resolve().parent.parent


def test_pages_link_static_files_with_their_content_hash(client):
    page = client.get("/").text
    href = re.search(r'href="(/static/css/shop\.css\?v=([0-9a-f]{12}))"', page)
    assert href, "the stylesheet link carries no version"
    content = (ROOT / "static/css/shop.css").read_bytes()
    assert href.group(2) == hashlib.sha256(content).hexdigest()[:12]
    answer = client.get(href.group(1))
    assert answer.status_code == 200 and answer.data == content
    answer.close()


def test_a_changed_file_gets_a_new_version(tmp_path):
    (tmp_path / "css").mkdir()
    sheet = tmp_path / "css/a.css"
    sheet.write_text("body { color: black }")
    first = static_version(str(tmp_path), "css/a.css")
    assert first == static_version(str(tmp_path), "css/a.css")
    sheet.write_text("body { color: navy; }")
    assert static_version(str(tmp_path), "css/a.css") not in (None, first)
    assert static_version(str(tmp_path), "css/missing.css") is None
    assert static_version(str(tmp_path), "../outside.css") is None
