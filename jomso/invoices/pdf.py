"""An invoice or a credit note (``documents.Printed``) as an A4 PDF, made with fpdf2 (pure
Python).

The text is set in DejaVu Sans, a Unicode TrueType font, so that any name prints (€, ü, ñ,
Ł, Greek, Cyrillic). The shop reads it from the system (Debian's ``fonts-dejavu-core``,
installed by the deployment recipe) at the first of ``FONT_DIRS`` that holds it. Without it
the PDF falls back to fpdf2's built-in Helvetica, which knows Latin-1 only: other letters
print as "?" and a warning is logged once per process (the HTML page prints everything).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from jomso.invoices.documents import Printed

log = logging.getLogger(__name__)

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts/dejavu"),
)
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"


@lru_cache(maxsize=1)
def font_dir() -> Path | None:
    """The folder holding DejaVu Sans, or None (then Helvetica, Latin-1 only)."""
    for folder in FONT_DIRS:
        if (folder / REGULAR).is_file() and (folder / BOLD).is_file():
            return folder
    log.warning("invoices: DejaVu Sans not found, PDFs print Latin-1 letters only")
    return None


class _Document(FPDF):
    def __init__(self, printed: Printed):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.printed = printed
        folder = font_dir()
        if folder is not None:
            self.add_font("DejaVu", "", str(folder / REGULAR))
            self.add_font("DejaVu", "B", str(folder / BOLD))
            self.family = "DejaVu"
        else:
            self.family = "Helvetica"
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=22)
        self.set_title(printed.title)
        self.set_creator("Jomso")
        self.set_lang(printed.language or "en")

    def text_of(self, text: str) -> str:
        if self.family == "DejaVu":
            return text
        return text.encode("latin-1", "replace").decode("latin-1")

    def footer(self):
        self.set_y(-16)
        self.set_font(self.family, "", 7.5)
        self.set_text_color(0)
        lines = [self.printed.footer] if self.printed.footer else []
        lines.append(f"{self.printed.title} · {self.page_no()}/{{nb}}")
        self.multi_cell(0, 3.5, self.text_of("\n".join(lines)), align="C")


def _sku_under_name(row: list[str]) -> list[str]:
    """An invoice's row (or heading) with its second cell, the SKU, on a line of the first."""
    name, sku, *rest = row
    return ["\n".join(part for part in (name, sku) if part), *rest]


def render(printed: Printed) -> bytes:
    """The document as PDF bytes."""
    pdf = _Document(printed)
    family = pdf.family
    t = pdf.text_of
    pdf.add_page()
    pdf.set_text_color(0)
    width = pdf.epw
    # Seller at the left, the document's title and facts at the right.
    top = pdf.get_y()
    pdf.set_font(family, "B", 11)
    for number, line in enumerate(printed.seller_lines):
        if number == 1:
            pdf.set_font(family, "", 9)
        pdf.cell(width / 2, 4.6, t(line), new_x="LMARGIN", new_y="NEXT")
    if printed.seller_tax_id:
        pdf.set_font(family, "", 9)
        pdf.cell(width / 2, 4.6, t(printed.seller_tax_id), new_x="LMARGIN", new_y="NEXT")
    seller_bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + width / 2, top)
    pdf.set_font(family, "B", 16)
    pdf.cell(width / 2, 8, t(printed.title), align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_font(family, "", 9)
    for label, value in printed.facts:
        pdf.set_x(pdf.l_margin + width / 2)
        pdf.cell(width / 2, 4.6, t(f"{label}: {value}"), align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_y(max(seller_bottom, pdf.get_y()) + 8)
    # The buyer.
    pdf.set_font(family, "B", 10)
    for number, line in enumerate(printed.buyer_lines):
        if number == 1:
            pdf.set_font(family, "", 10)
        pdf.cell(0, 5, t(line), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    if printed.buyer_email:
        pdf.cell(0, 5, t(printed.buyer_email), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    heading = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
    # The lines.
    wide = len(printed.columns) > 2
    pdf.set_font(family, "", 8.5 if wide else 10)
    # An invoice's SKU goes under its product's name: a column of its own broke long SKUs
    # in the middle of a word.
    columns, rows = (
        (_sku_under_name(printed.columns), [_sku_under_name(row) for row in printed.rows])
        if wide
        else (printed.columns, printed.rows)
    )
    widths = (62, 18, 22, 22, 20, 26) if wide else (120, 50)
    aligns = ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT") if wide else ("LEFT", "RIGHT")
    with pdf.table(
        col_widths=widths,
        text_align=aligns,
        headings_style=heading,
        line_height=5,
        borders_layout="HORIZONTAL_LINES",
        first_row_as_headings=True,
    ) as table:
        table.row([t(c) for c in columns])
        for row in rows:
            table.row([t(c) for c in row])
    pdf.ln(4)
    # Tax per rate.
    if printed.tax_rows:
        pdf.set_font(family, "", 9)
        with pdf.table(
            width=110,
            col_widths=(50, 30, 30),
            text_align=("LEFT", "RIGHT", "RIGHT"),
            headings_style=heading,
            line_height=4.6,
            align="LEFT",
            borders_layout="HORIZONTAL_LINES",
        ) as table:
            table.row([t(c) for c in printed.tax_columns])
            for row in printed.tax_rows:
                table.row([t(c) for c in row])
        pdf.ln(4)
    # The totals, at the right.
    for number, (label, value) in enumerate(printed.totals):
        pdf.set_font(family, "B" if number == printed.grand else "", 10)
        pdf.set_x(pdf.l_margin + width - 110)
        pdf.cell(75, 6, t(label), align="R")
        pdf.cell(35, 6, t(value), align="R", new_x="LMARGIN", new_y="NEXT")
    if printed.tax_note:
        pdf.ln(3)
        pdf.set_font(family, "", 9)
        pdf.multi_cell(0, 4.6, t(printed.tax_note))
    return bytes(pdf.output())
