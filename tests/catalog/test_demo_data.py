"""Demo data: ``seed-demo`` and the one-command ``demo`` the README opens with."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from jomso.catalog.models import Category, Product, ProductImage
from jomso.database import utcnow
from jomso.extensions import db

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
        assert all(p.price_cents > 0 and p.sku and p.description for p in products)
        assert len({p.slug for p in products}) == 40
        assert any(p.stock == 0 for p in products) or any(p.stock <= 5 for p in products)
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


def test_demo_command_serves_the_shop(tmp_path):
    """The README's first command ends in ``flask --app app demo``: schema, demo catalog,
    a printed URL, a running shop."""
    env = {**os.environ, "JOMSO_INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop("JOMSO_DATABASE_URL", None)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "demo", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if "Jomso is running at" in line or not line:
                break
        assert f"Jomso is running at http://127.0.0.1:{port}/" in "".join(lines), lines
        html = _get_when_up(f"http://127.0.0.1:{port}/")
        assert "New arrivals" in html
        assert html.count('class="product-card"') == 8
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        process.stdout.close()
    assert (tmp_path / "instance" / "jomso.sqlite3").exists()


def _free_port() -> int:
    import socket

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
