"""Catalog: categories, products and their images. Prices are integer cents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jomso.catalog.page_cache import install_revision_ddl
from jomso.catalog.search import install_search_ddl
from jomso.catalog.vocabulary import install_vocabulary
from jomso.database import UTCDateTime, utcnow
from jomso.extensions import db


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    position: Mapped[int] = mapped_column(default=0)

    products: Mapped[list[Product]] = relationship(back_populates="category")


class Product(db.Model):
    __tablename__ = "products"
    __table_args__ = (
        Index("ix_products_active_created", "is_active", "created_at"),
        Index("ix_products_active_price", "is_active", "price_cents"),
        Index("ix_products_active_name", "is_active", "name"),
        Index("ix_products_category_active_created", "category_id", "is_active", "created_at"),
        Index("ix_products_category_active_price", "category_id", "is_active", "price_cents"),
        Index("ix_products_category_active_name", "category_id", "is_active", "name"),
        Index("ix_products_active_stock", "is_active", "stock"),  # low stock (stock_levels)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown source
    price_cents: Mapped[int]
    stock: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Indexed by the composite category indexes above.
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )

    category: Mapped[Category | None] = relationship(back_populates="products")
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        order_by="ProductImage.position",
    )


class ProductImage(db.Model):
    __tablename__ = "product_images"
    # Serves "the first image of each product" (lists, cart) straight from the index.
    __table_args__ = (Index("ix_product_images_product_position", "product_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    # Content hash naming the stored files under <instance>/images/ (see catalog/images.py).
    # Not unique: identical pictures share their files (the demo catalog shares a small pool).
    key: Mapped[str] = mapped_column(String(64), index=True)
    position: Mapped[int] = mapped_column(default=0)
    width: Mapped[int]
    height: Mapped[int]
    alt: Mapped[str] = mapped_column(String(200), default="")

    product: Mapped[Product] = relationship(back_populates="images")


class SearchWord(db.Model):
    """A word of the names of the products on sale and how many of them hold it: what search
    offers for a mistyped word ("did you mean"). Kept by ``vocabulary``, never edited."""

    __tablename__ = "search_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(64), unique=True)
    products: Mapped[int] = mapped_column(default=0)


# The search index (FTS5 on SQLite, a GIN index on PostgreSQL) follows the products table.
install_search_ddl(Product.__table__)
# The words of the names, with their trigram index, follow every change of a product's name.
install_vocabulary(Product, SearchWord.__table__)


class CatalogRevision(db.Model):
    """One row: a counter that triggers raise on every change to the catalog tables, so
    cached storefront pages know when they are stale (see page_cache.py)."""

    __tablename__ = "catalog_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(default=1)


install_revision_ddl(db.metadata)
