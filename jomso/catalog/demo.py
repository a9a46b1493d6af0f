"""The demo catalog's rows: plausible categories and products (names, prices, stock,
descriptions), added by ``seed_demo``.

Products go in with bulk inserts, a few thousand rows per statement. Their pictures are drawn
locally (nothing is downloaded) and shared from a small pool, see ``demo_pictures.py``.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, insert, select

from jomso.catalog.demo_pictures import COLOURS, PicturePool
from jomso.catalog.editing import slugify
from jomso.catalog.models import (
    Category,
    Product,
    ProductImage,
    ProductOption,
    ProductVariant,
)
from jomso.catalog.search import bulk_indexing
from jomso.catalog.variants import refresh_summary
from jomso.database import utcnow
from jomso.extensions import db

CHUNK = 5000


@dataclass(frozen=True)
class CategorySpec:
    name: str
    slug: str
    sku_prefix: str
    shape: str
    nouns: tuple[str, ...]
    materials: tuple[str, ...]
    price_range: tuple[int, int]  # cents
    blurbs: tuple[str, ...]
    care: str


CATEGORIES = (
    CategorySpec(
        "Kitchen", "kitchen", "KIT", "mug",
        ("Mug", "Teapot", "Butter Dish", "Utensil Crock", "Salt Cellar", "Mixing Bowl",
         "Spice Jar", "Milk Jug", "Oil Bottle"),
        ("Stoneware", "Enamel", "Porcelain", "Glazed Clay", "Speckled Ceramic"),
        (1200, 6500),
        ("Made for the first coffee of the day and every pot of tea after it.",
         "A kitchen piece that earns its place on the open shelf.",
         "Sturdy enough for daily use, pretty enough to leave out."),
        "Dishwasher and microwave safe. Avoid sudden changes of temperature.",
    ),
    CategorySpec(
        "Tableware", "tableware", "TAB", "bowl",
        ("Dinner Plate", "Side Plate", "Pasta Bowl", "Serving Platter", "Cereal Bowl",
         "Tumbler Set", "Carafe", "Espresso Cups"),
        ("Porcelain", "Stoneware", "Recycled Glass", "Earthenware", "Bone China"),
        (900, 8500),
        ("Set a table that feels considered without feeling formal.",
         "Mix and match across the range: every glaze is made to sit together.",
         "Generous, slightly irregular shapes that show the maker's hand."),
        "Dishwasher safe. Stack with care to protect the glaze.",
    ),
    CategorySpec(
        "Lighting", "lighting", "LGT", "lamp",
        ("Table Lamp", "Pendant Light", "Floor Lamp", "Desk Lamp", "Wall Sconce",
         "Reading Light"),
        ("Linen", "Brass", "Rattan", "Ceramic", "Opal Glass", "Paper"),
        (3900, 24900),
        ("A warm, even glow for evenings at home.",
         "Soft light where you need it, a quiet shape where you don't.",
         "Designed to make a small room feel calm and a large one feel cosy."),
        "Dust with a dry cloth. Use an E27 LED bulb of up to 8 W.",
    ),
    CategorySpec(
        "Textiles", "textiles", "TEX", "textile",
        ("Throw Blanket", "Cushion Cover", "Bath Towel", "Table Runner", "Napkin Set",
         "Tea Towel", "Duvet Cover", "Bed Throw"),
        ("Linen", "Merino Wool", "Organic Cotton", "Waffle Cotton", "Alpaca", "Cotton Gauze"),
        (1800, 18900),
        ("Soft from the first use and softer with every wash.",
         "Woven from natural fibres that breathe in summer and warm in winter.",
         "Adds texture and colour to a room without shouting."),
        "Machine wash at 40 °C, line dry. Do not tumble dry.",
    ),
    CategorySpec(
        "Home Decor", "home-decor", "DEC", "vase",
        ("Bud Vase", "Floor Vase", "Candle Holder", "Trinket Tray", "Picture Frame",
         "Bookends", "Wall Mirror"),
        ("Ceramic", "Brass", "Oak", "Marble", "Blown Glass", "Terracotta"),
        (1500, 12900),
        ("A small piece that finishes a shelf, a sill or a bedside table.",
         "Simple shapes and honest materials, made to be kept for years.",
         "Lovely on its own, even better in a group of three."),
        "Wipe clean with a soft, damp cloth.",
    ),
    CategorySpec(
        "Stationery", "stationery", "STA", "notebook",
        ("Notebook", "Sketchbook", "Desk Planner", "Greeting Card Set", "Pencil Case",
         "Weekly Journal", "Letter Set"),
        ("Linen-bound", "Recycled Paper", "Leather", "Cotton Paper", "Kraft"),
        (600, 4500),
        ("Thick, smooth pages that take ink without bleeding through.",
         "For lists, plans, sketches and everything in between.",
         "Lays flat when open and slips into any bag."),
        "Keep dry and away from direct sunlight.",
    ),
    CategorySpec(
        "Garden", "garden", "GAR", "plant",
        ("Plant Pot", "Watering Can", "Planter", "Herb Pot Trio", "Hanging Planter",
         "Seed Tray", "Garden Kneeler"),
        ("Terracotta", "Glazed Ceramic", "Galvanised Steel", "Concrete", "Recycled Plastic"),
        (1200, 8900),
        ("Everything your plants need, and nothing they don't.",
         "Made for balconies, windowsills and proper gardens alike.",
         "Weatherproof, frost resistant and built for years outdoors."),
        "Rinse with water. Bring indoors during hard frosts.",
    ),
    CategorySpec(
        "Bath & Body", "bath-body", "BAT", "bottle",
        ("Hand Soap", "Body Lotion", "Bath Salts", "Bath Oil", "Hand Cream", "Shower Gel",
         "Body Scrub"),
        ("Cedar & Sage", "Fig Leaf", "Sea Salt", "Lavender", "Bergamot", "Neroli"),
        (800, 3900),
        ("Gentle, plant-based and made in small batches.",
         "A scent that lingers just long enough.",
         "Free from parabens and sulphates, kind to skin and water."),
        "For external use only. Store in a cool, dry place.",
    ),
)  # fmt: skip

# Nouns that look more like another category's drawing than their own category's.
NOUN_SHAPES = {
    "Mixing Bowl": "bowl",
    "Butter Dish": "bowl",
    "Oil Bottle": "bottle",
    "Spice Jar": "bottle",
    "Milk Jug": "vase",
    "Carafe": "vase",
    "Candle Holder": "lamp",
    "Soap Dish": "bowl",
    "Bath Salts": "bowl",
    "Picture Frame": "notebook",
}
ADJECTIVES = ("Everyday", "Classic", "Handmade", "Studio", "Matte", "Small-batch", "Minimal")
FEATURES = (
    "Made by a small family workshop",
    "Every piece is slightly unique",
    "Packed plastic-free",
    "Designed to last for years",
    "Ships within two working days",
    "Natural, undyed finish on the base",
    "Thoughtfully sized for small homes",
    "Made from responsibly sourced materials",
)


def _price(rng: random.Random, low: int, high: int) -> int:
    # Log-uniform: many affordable items, a few expensive ones; shop-like endings.
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    return max(100, round(value / 100) * 100 - rng.choice((0, 0, 5, 1, 50)))


def _stock(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.08:
        return 0
    if roll < 0.2:
        return rng.randint(1, 5)
    return rng.randint(6, 240)


def _description(rng: random.Random, spec: CategorySpec, noun: str, material: str,
                 colour: str) -> str:  # fmt: skip
    features = rng.sample(FEATURES, 3)
    finish = "scent" if spec.slug == "bath-body" else "finish"
    return (
        f"{rng.choice(spec.blurbs)} Our {noun.lower()} in {material.lower()} comes in "
        f"{'an' if colour[0] in 'AEIOU' else 'a'} {colour.lower()} {finish} that suits almost "
        "any home.\n\n"
        f"- {features[0]}\n- {features[1]}\n- {features[2]}\n\n"
        f"**Care:** {spec.care}\n"
    )


def ensure_categories() -> list[tuple[CategorySpec, int]]:
    """The demo categories (existing ones by slug are reused) with their ids."""
    existing = dict(db.session.execute(select(Category.slug, Category.id)).all())
    for position, spec in enumerate(CATEGORIES):
        if spec.slug not in existing:
            category = Category(name=spec.name, slug=spec.slug, position=position)
            db.session.add(category)
            db.session.flush()
            existing[spec.slug] = category.id
    return [(spec, existing[spec.slug]) for spec in CATEGORIES]


@dataclass
class SeedReport:
    products: int
    categories: int
    pictures: int
    seconds: float


def seed_demo(
    count: int, *, seed: int | None = None, progress: Callable[[str], None] | None = None
) -> SeedReport:
    """Add ``count`` demo products (and the demo categories when missing). Running it again
    adds more products to the same categories. Commits once at the end."""
    started = time.perf_counter()
    rng = random.Random(seed)
    categories = ensure_categories()
    pool = PicturePool()
    number = (db.session.scalar(select(func.max(Product.id))) or 0) + 1
    # Of every ten products one is a textile sold in sizes and colours (at most three), the
    # newest of the catalog: the variants' demo.
    textiles = _textiles(rng, categories, pool, number, min(len(TEXTILES), count // 10))
    with bulk_indexing(db.session):
        _insert_products(count - textiles, rng, categories, pool, number + textiles, progress)
    db.session.commit()
    return SeedReport(
        products=count,
        categories=len(categories),
        pictures=len(pool),
        seconds=time.perf_counter() - started,
    )


# Textiles sold in variants: name, sizes (none: colours only), base price in cents.
TEXTILES = (
    ("Linen Shirt", ("S", "M", "L"), 5400),
    ("Cotton Tee", ("S", "M", "L", "XL"), 2400),
    ("Wool Throw", (), 8900),
)


def _textiles(rng, categories, pool, number, how_many) -> int:
    """Up to ``how_many`` textiles with Size and Colour options, a variant per combination
    (larger sizes cost a little more, some sold out), a picture per colour; names are unique
    (one already in the catalog is not made again). Returns how many were made."""
    spec, category_id = next(c for c in categories if c[0].slug == "textiles")
    made = 0
    for name, sizes, price in TEXTILES[:how_many]:
        slug = slugify(name)
        if db.session.scalar(select(Product.id).where(Product.name == name)) is not None:
            continue
        colours = sorted(rng.sample(range(len(COLOURS)), 3))
        product = Product(
            name=name,
            slug=f"{slug}-{number + made}",
            description=_description(rng, spec, name.split()[-1], name.split()[0], "three colours"),
            price_cents=price,
            category_id=category_id,
            created_at=utcnow() - timedelta(hours=made + 1),
        )
        images = {}
        for index, colour_index in enumerate(colours):
            stored = pool.get(spec.shape, colour_index, 0)
            image = ProductImage(
                key=stored.key,
                width=stored.width,
                height=stored.height,
                position=index,
                alt=f"{name} in {COLOURS[colour_index][0]}",
            )
            product.images.append(image)
            images[colour_index] = image
        product.options = [ProductOption(position=1, name="Colour",
                                         values=[COLOURS[i][0] for i in colours])]  # fmt: skip
        if sizes:
            product.options.append(ProductOption(position=2, name="Size", values=list(sizes)))
        for colour_index in colours:
            for step, size in enumerate(sizes or (None,)):
                code = f"{COLOURS[colour_index][0][:3].upper()}{'-' + size if size else ''}"
                product.variants.append(
                    ProductVariant(
                        sku=f"{spec.sku_prefix}-V{number + made:05d}-{code}",
                        position=len(product.variants),
                        option1=COLOURS[colour_index][0],
                        option2=size,
                        price_cents=price + 400 * max(0, step - 1) if step > 1 else None,
                        stock=rng.choice((0, 2, 5, 9, 14)),
                        weight_grams=250,
                        barcode="",
                        is_active=True,
                        image=images[colour_index],
                    )
                )
        refresh_summary(product)
        db.session.add(product)
        db.session.flush()
        made += 1
    return made


def _insert_products(count, rng, categories, pool, number, progress) -> None:
    now = utcnow()
    done = 0
    while done < count:
        batch = min(CHUNK, count - done)
        products, pictures, variants = [], [], []
        for _ in range(batch):
            index = rng.randrange(len(categories))
            spec, category_id = categories[index]
            # Each category comes in five of the colours: a collection, and fewer drawings.
            colour_index = (index + rng.randrange(5) * 3) % len(COLOURS)
            colour = COLOURS[colour_index][0]
            noun, material = rng.choice(spec.nouns), rng.choice(spec.materials)
            if spec.slug == "bath-body":
                name = f"{material} {noun}"
            else:
                name = f"{material} {noun} in {colour}"
                if rng.random() < 0.35:
                    name = f"{rng.choice(ADJECTIVES)} {name}"
            sku = f"{spec.sku_prefix}-{number:06d}"
            created = now - timedelta(seconds=rng.uniform(3600, 240 * 86400))
            price, stock = _price(rng, *spec.price_range), _stock(rng)
            variants.append({"sku": sku, "stock": stock, "position": 0})
            products.append(
                {
                    "name": name,
                    "slug": f"{slugify(name)}-{number}",
                    "description": _description(rng, spec, noun, material, colour),
                    "price_cents": price,
                    # The summary of its one variant (see catalog.variants).
                    "price_min_cents": price,
                    "price_max_cents": price,
                    "stock_total": max(0, stock),
                    "variant_text": sku,
                    "is_active": rng.random() > 0.01,
                    "created_at": created,
                    "updated_at": created,
                    "category_id": category_id,
                }
            )
            views = (0, 1) if rng.random() < 0.2 else (0,)
            shape = NOUN_SHAPES.get(noun, spec.shape)
            pictures.append([(sku, pool.get(shape, colour_index, v), name) for v in views])
            number += 1
        db.session.execute(insert(Product), products)
        slugs = [row["slug"] for row in products]
        by_slug = dict(
            db.session.execute(
                select(Product.slug, Product.id).where(Product.slug.in_(slugs))
            ).all()
        )
        ids = {v["sku"]: by_slug[p["slug"]] for v, p in zip(variants, products, strict=True)}
        db.session.execute(
            insert(ProductVariant), [{**v, "product_id": ids[v["sku"]]} for v in variants]
        )
        db.session.execute(
            insert(ProductImage),
            [
                {
                    "product_id": ids[sku],
                    "key": stored.key,
                    "width": stored.width,
                    "height": stored.height,
                    "position": position,
                    "alt": alt,
                }
                for group in pictures
                for position, (sku, stored, alt) in enumerate(group)
            ],
        )
        done += batch
        if progress:
            progress(f"{done} of {count} products")
