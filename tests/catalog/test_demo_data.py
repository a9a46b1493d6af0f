"""Demo data: ``seed-demo`` and the one-command ``demo`` the README opens with."""

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from jomso import create_app
from jomso.catalog.models import Category, Product, ProductImage
from jomso.database import utcnow
from jomso.extensions import db
from tests.helpers import login

ROOT = Path(__file__).parents[2]


def test_seed_demo_adds_a_plausible_catalog(runner, client):
    app = runner.app
    result = runner.invoke(args=["seed-demo", "--products", "40", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "Added 40 products in 8 categories" in result.output
    with app.app_context():
        products = db.session.scalars(select(Product)).all()
        assert len(products) == 40
        assert db.session.scalar(select(func.count()).select_from(Category)) == 8
        assert all(p.images for p in products)
        assert all(p.price_cents > 0 and p.variants and p.description for p in products)
        assert all(v.sku for p in products for v in p.variants)
        # three textiles sold in colours (and sizes), a picture for each colour
        textiles = [p for p in products if p.options]
        assert sorted(p.name for p in textiles) == ["Cotton Tee", "Linen Shirt", "Wool Throw"]
        shirt = next(p for p in textiles if p.name == "Linen Shirt")
        assert len(shirt.variants) == 9 and shirt.variants[0].title.count(" / ") == 1
        assert all(v.image is not None for v in shirt.variants)
        assert len({p.slug for p in products}) == 40
        assert any(p.stock_total == 0 for p in products) or any(
            p.stock_total <= 5 for p in products
        )
        ages = [utcnow() - p.created_at for p in products]
        assert min(ages) >= timedelta(0) and max(ages) > timedelta(days=30)
        assert "**Care:**" in products[0].description
        keys = db.session.scalars(select(ProductImage.key).distinct()).all()
        assert len(keys) < 40  # a shared pool of pictures, not one each
        slug = products[0].slug
        key = keys[0]
    assert client.get("/").status_code == 200
    assert client.get(f"/products/{slug}").status_code == 200
    image = client.get(f"/images/{key}-320.webp")
    image.close()
    assert image.status_code == 200


def test_seed_demo_again_adds_more_to_the_same_categories(runner):
    assert runner.invoke(args=["seed-demo", "--products", "5", "--seed", "1"]).exit_code == 0
    result = runner.invoke(args=["seed-demo", "--products", "5", "--seed", "1"])
    assert result.exit_code == 0, result.output
    with runner.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Product)) == 10
        assert db.session.scalar(select(func.count()).select_from(Category)) == 8


def test_seed_demo_help_says_what_a_second_run_does(runner):
    result = runner.invoke(args=["seed-demo", "--help"])
    assert "Running it again adds" in result.output


def test_seeded_products_are_searchable(runner, client):
    runner.invoke(args=["seed-demo", "--products", "30", "--seed", "5"])
    with runner.app.app_context():
        name = db.session.scalars(select(Product.name).where(Product.is_active)).first()
    word = name.split()[-1]
    assert name in client.get("/products", query_string={"q": word}).text


def test_a_fresh_demo_marks_only_its_newest_few_as_new(runner, client):
    runner.invoke(args=["seed-demo", "--products", "30", "--seed", "5"])
    with runner.app.app_context():  # every product made within the new period, as if today
        for product in db.session.scalars(select(Product)):
            product.created_at = utcnow() - timedelta(hours=product.id)
        db.session.commit()
        since = utcnow() - timedelta(days=runner.app.config["NEW_PRODUCT_DAYS"])
        recent = db.session.scalar(
            select(func.count()).where(Product.is_active, Product.created_at >= since)
        )
    assert recent > 8  # more products within the new period than the badge marks
    badges = client.get("/products").text.count('class="badge badge-new"')
    assert badges == 8


@pytest.fixture
def demo_shop(tmp_path, monkeypatch):
    """An app on its own instance folder (its database in it), as the commands would use."""
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_demo_command_serves_the_shop(tmp_path):
    """The README's first command ends in ``flask --app app demo``: schema, demo catalog,
    a printed URL, a running shop."""
    port = _free_port()
    process, output = _start_demo(_env(tmp_path), port)
    try:
        assert f"Jomso is running at http://127.0.0.1:{port}/" in output, output
        html = _get_when_up(f"http://127.0.0.1:{port}/")
        assert "New arrivals" in html
        assert html.count('class="product-card"') == 8
        assert 'href="/pages/shipping-and-returns"' in html  # each content page has a text
        assert "Imprint" in _get_when_up(f"http://127.0.0.1:{port}/pages/imprint")
    finally:
        _stop(process)
    assert (tmp_path / "instance" / "jomso.sqlite3").exists()


def test_demo_on_a_taken_port_stops_before_changing_anything(tmp_path, demo_shop):
    passwords = _seed_demo(demo_shop)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = _flask(_env(tmp_path), "demo", "--port", str(port))
    assert result.returncode == 1
    assert f"Cannot listen on 127.0.0.1 port {port}" in result.stderr
    assert "Nothing was changed." in result.stderr
    assert "@staff.example.com" not in result.stdout
    # The owner's password printed before still signs in.
    owner = "owner@staff.example.com"
    assert login(demo_shop.test_client(), owner, passwords[owner]).headers["Location"] == "/staff/"


def test_demo_prints_the_same_staff_passwords_at_every_start(tmp_path, demo_shop):
    first = _seed_demo(demo_shop)
    env = _env(tmp_path)
    for _start in range(2):
        process, output = _start_demo(env, _free_port())
        _stop(process)
        assert _staff_passwords(output) == first
    kept = tmp_path / "instance" / "demo-staff-passwords"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_demo_commands_are_refused_in_production(tmp_path):
    env = _env(
        tmp_path,
        JOMSO_ENV="production",
        JOMSO_SHOP_URL="https://shop.example.com",
        JOMSO_SESSION_COOKIE_SECURE="true",
        JOMSO_ALLOW_DEMO_PAYMENTS="true",
        JOMSO_SHOP_ADDRESS="4 Harbour Row, Portsmouth PO1 2AB",
        JOMSO_SHOP_EMAIL="privacy@teakettle.example",
    )
    for args in (["seed-demo", "--products", "1"], ["demo", "--port", str(_free_port())]):
        result = _flask(env, *args, timeout=60)  # a demo not refused would serve: timeout
        assert result.returncode == 1, result.stdout
        assert f"{args[0]} is refused in production (JOMSO_ENV=production)" in result.stderr
        assert "@staff.example.com" not in result.stdout
    assert not (tmp_path / "instance" / "demo-staff-passwords").exists()


def _env(tmp_path, **settings) -> dict:
    env = {**os.environ, "JOMSO_INSTANCE_PATH": str(tmp_path / "instance"), **settings}
    env.pop("JOMSO_DATABASE_URL", None)
    return env


def _seed_demo(app) -> dict[str, str]:
    """Schema, one demo product and the demo staff; returns the passwords seed-demo printed."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    result = runner.invoke(args=["seed-demo", "--products", "1"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    passwords = _staff_passwords(result.output)
    assert len(passwords) == 5
    return passwords


def _flask(env, *args, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


_STAFF_LINE = re.compile(r"^\s+\S+\s+(\S+@staff\.example\.com)\s+(\S+)\s*$", re.MULTILINE)


def _staff_passwords(output: str) -> dict[str, str]:
    """The demo staff accounts and passwords a command printed."""
    return dict(_STAFF_LINE.findall(output))


def _start_demo(env, port: int) -> tuple[subprocess.Popen, str]:
    """Start ``demo`` and read what it prints until it says it is running."""
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "demo", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if "Jomso is running at" in line or not line:
            break
    return process, "".join(lines)


def _stop(process: subprocess.Popen) -> None:
    """Ctrl+C, as the README says; reading what the demo still prints meanwhile (a full pipe
    would block its shutdown), and reaping it, killed if it has not stopped within 30 s."""
    process.send_signal(signal.SIGINT)
    try:
        process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get_when_up(url: str) -> str:
    for _ in range(50):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")
