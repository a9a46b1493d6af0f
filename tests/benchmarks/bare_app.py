"""The benchmark's yardstick: a bare Flask page listing the same 24 rows as the shop's first
catalog page, read with raw ``sqlite3`` and rendered with one Jinja template.

Served by ``bench_catalog.py`` with gunicorn under the same settings as the shop; the database
path comes from ``BENCH_DB``. Not a test module: pytest never imports it.
"""

import os
import sqlite3

from flask import Flask

app = Flask(__name__)

QUERY = """
SELECT id, slug, name, price_min_cents, price_max_cents, stock_total AS stock, created_at,
       (SELECT key FROM product_images WHERE product_id = products.id
        ORDER BY position, id LIMIT 1) AS image_key
FROM products WHERE is_active = 1
ORDER BY created_at DESC, id DESC LIMIT 24
"""

# Compiled once, like a template file Flask has cached.
TEMPLATE = app.jinja_env.from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Products</title></head>
<body><h1>Products</h1>
<ul>
{% for row in rows %}
  <li><a href="/products/{{ row.slug }}"><img src="/images/{{ row.image_key }}-320.webp" alt="">
    {{ row.name }}</a> ${{ "%.2f"|format(row.price_min_cents / 100) }}
    {{ "Sold out" if row.stock == 0 else "In stock" }}</li>
{% endfor %}
</ul></body></html>"""
)

_connection: sqlite3.Connection | None = None


def connection() -> sqlite3.Connection:
    """One connection per worker process, kept open: the cheapest way to ask SQLite."""
    global _connection
    if _connection is None:
        _connection = sqlite3.connect(os.environ["BENCH_DB"], check_same_thread=False)
        _connection.row_factory = sqlite3.Row
    return _connection


@app.get("/")
def products():
    rows = connection().execute(QUERY).fetchall()
    return TEMPLATE.render(rows=rows)
