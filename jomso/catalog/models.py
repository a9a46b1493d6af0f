"""Catalog: categories, products and their images. Prices are integer cents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
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
        # the price sorts: by the lowest variant price, what the cards show
        Index("ix_products_active_price_min", "is_active", "price_min_cents"),
        Index("ix_products_active_name", "is_active", "name"),
        Index("ix_products_category_active_created", "category_id", "is_active", "created_at"),
        Index(
            "ix_products_category_active_price_min", "category_id", "is_active", "price_min_cents"
        ),
        Index("ix_products_category_active_name", "category_id", "is_active", "name"),
        # low stock (stock_levels)
        Index("ix_products_active_stock_total", "is_active", "stock_total"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown source
    # The default price: a variant without a price of its own sells at it.
    price_cents: Mapped[int]
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Indexed by the composite category indexes above.
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )

    # Kept by ``variants.refresh_summaries`` from the product's variants, for the list pages,
    # search and the dashboards (one row per product, whatever the number of variants): the
    # lowest and highest price of its active variants, their units in stock (the sum over
    # active variants), whether one sells below its compare-at price, and their SKUs and
    # option values (words the search finds).
    price_min_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    price_max_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    stock_total: Mapped[int] = mapped_column(default=0, server_default="0")
    on_sale: Mapped[bool] = mapped_column(default=False, server_default="0")
    variant_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The low-stock email's threshold for this product's variants (None: the shop's,
    # JOMSO_LOW_STOCK_THRESHOLD); see stock_alerts.
    low_stock_threshold: Mapped[int | None]
    # The tax class's code (``taxes.models.TaxClass``); a variant may override it.
    tax_class: Mapped[str] = mapped_column(
        String(40), default="standard", server_default="standard"
    )

    category: Mapped[Category | None] = relationship(back_populates="products")
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        order_by="ProductImage.position",
    )
    options: Mapped[list[ProductOption]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        order_by="ProductOption.position",
    )
    variants: Mapped[list[ProductVariant]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        order_by="(ProductVariant.position, ProductVariant.id)",
    )

    @property
    def default_variant(self) -> ProductVariant | None:
        """The first variant: the only one of a product without options."""
        return self.variants[0] if self.variants else None


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


class ProductOption(db.Model):
    """One of a product's (up to three) options, say Size, with its values in their order."""

    __tablename__ = "product_options"
    __table_args__ = (UniqueConstraint("product_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    position: Mapped[int]  # 1..3: which of the variant's option1..option3 holds its value
    name: Mapped[str] = mapped_column(String(60))
    # The values in their order, a JSON array of strings ("S", "M", "L").
    values: Mapped[list[str]] = mapped_column(JSON, default=list)

    product: Mapped[Product] = relationship(back_populates="options")


class ProductVariant(db.Model):
    """What is sold: one combination of the product's option values (the only variant of a
    product without options), with its own SKU, stock and optional price."""

    __tablename__ = "product_variants"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    option1: Mapped[str | None] = mapped_column(String(100))
    option2: Mapped[str | None] = mapped_column(String(100))
    option3: Mapped[str | None] = mapped_column(String(100))
    price_cents: Mapped[int | None]  # None: the product's price
    compare_at_cents: Mapped[int | None]
    stock: Mapped[int] = mapped_column(default=0)
    weight_grams: Mapped[int] = mapped_column(default=0)
    barcode: Mapped[str] = mapped_column(String(64), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    image_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_images.id", ondelete="SET NULL")
    )
    # When a low-stock email named this variant; cleared once its stock is above the
    # threshold again, so that the next fall is told too (stock_alerts).
    low_stock_alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Empty: the product's tax class; else this variant's own (``taxes.money.line_class``).
    tax_class: Mapped[str] = mapped_column(String(40), default="", server_default="")

    product: Mapped[Product] = relationship(back_populates="variants")
    image: Mapped[ProductImage | None] = relationship()

    @property
    def values(self) -> list[str]:
        return [v for v in (self.option1, self.option2, self.option3) if v]

    @property
    def title(self) -> str:
        """ "M / Blue"; "" for the single variant of a product without options."""
        return variant_title(self.option1, self.option2, self.option3)

    @property
    def effective_price_cents(self) -> int:
        return self.product.price_cents if self.price_cents is None else self.price_cents

    @property
    def is_on_sale(self) -> bool:
        return (
            self.compare_at_cents is not None and self.compare_at_cents > self.effective_price_cents
        )


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


class StockAlertMailing(db.Model):
    """One low-stock email to the catalog staff: when, and how many variants it named. The
    newest says whether a day has passed since the last one (stock_alerts)."""

    __tablename__ = "stock_alert_mailings"

    id: Mapped[int] = mapped_column(primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    variants: Mapped[int] = mapped_column(default=0)
    recipients: Mapped[int] = mapped_column(default=0)


class RestockRequest(db.Model):
    """ "Email me when it is back": an address waiting for a sold-out variant. Confirmed by the
    emailed link (or at once for a signed-in customer's confirmed address); deleted once the
    email saying it is back is queued, or by the retention rules (restock.py)."""

    __tablename__ = "restock_requests"
    __table_args__ = (UniqueConstraint("variant_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("product_variants.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), index=True)  # lower-cased
    # The account whose confirmed address this is, when it asked signed in.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    nonce: Mapped[str] = mapped_column(String(32))  # signed into the confirmation link
    language: Mapped[str] = mapped_column(String(10), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    variant: Mapped[ProductVariant] = relationship()


def variant_title(*values: str | None) -> str:
    """A variant's title from its option values: "M / Blue"; "" for none."""
    return " / ".join(value for value in values if value)
