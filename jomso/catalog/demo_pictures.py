"""The demo catalog's pictures, drawn locally by Pillow: a clean illustration of each kind of
object in the demo colours, and the pool that shares them.

Nothing is downloaded. Pictures come from a small pool (one per shape, colour and view, drawn
when first needed) that the products share, so 100,000 products need about a hundred
drawings. ``demo.py`` makes the products that use them.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFilter

from jomso.catalog.images import StoredImage, store_image

COLOURS = (
    ("Sage", (138, 160, 120)),
    ("Terracotta", (196, 104, 76)),
    ("Ochre", (204, 156, 52)),
    ("Indigo", (60, 76, 136)),
    ("Charcoal", (62, 66, 72)),
    ("Blush", (224, 160, 152)),
    ("Oat", (214, 196, 164)),
    ("Teal", (40, 122, 118)),
)


def _lighter(colour, amount):
    return tuple(round(c + (255 - c) * amount) for c in colour)


def _darker(colour, amount):
    return tuple(round(c * (1 - amount)) for c in colour)


def draw_picture(shape: str, colour: tuple[int, int, int], view: int = 0, size: int = 800) -> bytes:
    """A clean product illustration: the object on a soft backdrop with a floor shadow.

    ``view`` 0 is the whole object, 1 a closer view on a deeper backdrop. Returns PNG bytes.
    """
    scale = 1.25  # draw larger and shrink: smooth edges without per-shape anti-aliasing
    big = round(size * scale)
    top = _lighter(colour, 0.86 if view == 0 else 0.7)
    bottom = _lighter(colour, 0.72 if view == 0 else 0.55)
    backdrop = Image.linear_gradient("L").resize((big, big))
    image = Image.composite(Image.new("RGB", (big, big), bottom), Image.new("RGB", (big, big), top),
                            backdrop)  # fmt: skip
    zoom = 1.0 if view == 0 else 1.3
    u = big / 100 * zoom  # drawing unit: the object is laid out on a 100 x 100 grid
    ox = big / 2 - 50 * u
    oy = big / 2 - 50 * u

    def pt(x, y):
        return (ox + x * u, oy + y * u)

    def box(x0, y0, x1, y1):
        return (*pt(x0, y0), *pt(x1, y1))

    # Floor shadow, drawn small and blurred, then stretched over the picture.
    shadow = Image.new("L", (100, 100), 0)
    ImageDraw.Draw(shadow).ellipse((24, 80, 76, 90), fill=90)
    shadow = shadow.filter(ImageFilter.GaussianBlur(3)).resize((round(100 * u), round(100 * u)))
    shade = Image.new("RGB", shadow.size, _darker(top, 0.35))
    image.paste(shade, (round(ox), round(oy)), shadow)

    draw = ImageDraw.Draw(image)
    main, light, dark = colour, _lighter(colour, 0.35), _darker(colour, 0.25)
    white = (250, 248, 244)
    if shape == "mug":
        draw.rounded_rectangle(box(60, 40, 80, 68), radius=9 * u, outline=main, width=round(5 * u))
        draw.rounded_rectangle(box(26, 30, 66, 86), radius=6 * u, fill=main)
        draw.rounded_rectangle(box(30, 34, 38, 80), radius=4 * u, fill=light)
        draw.ellipse(box(26, 26, 66, 34), fill=dark)
    elif shape == "bowl":
        draw.ellipse(box(14, 62, 86, 88), fill=_lighter(colour, 0.6))
        draw.chord(box(22, 30, 78, 84), 0, 180, fill=main)
        draw.ellipse(box(22, 50, 78, 62), fill=dark)
        draw.arc(box(28, 34, 72, 78), 115, 155, fill=light, width=round(2.5 * u))
    elif shape == "lamp":
        draw.polygon([pt(30, 20), pt(70, 20), pt(80, 48),
                      pt(20, 48)], fill=main)  # fmt: skip
        draw.polygon([pt(30, 20), pt(40, 20), pt(34, 48),
                      pt(20, 48)], fill=light)  # fmt: skip
        draw.rectangle(box(48, 48, 52, 80), fill=(70, 64, 58))
        draw.ellipse(box(34, 78, 66, 88), fill=dark)
        draw.ellipse(box(42, 47, 58, 53), fill=(255, 236, 170))
    elif shape == "textile":
        for i, tone in enumerate((dark, main, light)):
            y = 66 - i * 16
            draw.rounded_rectangle(box(20, y, 80, y + 18), radius=5 * u, fill=tone)
            draw.line([box(24, y + 4, 0, 0)[:2], box(76, y + 4, 0, 0)[:2]], fill=white,
                      width=max(1, round(0.8 * u)))  # fmt: skip
    elif shape == "vase":
        draw.ellipse(box(28, 40, 72, 86), fill=main)
        draw.rectangle(box(42, 18, 58, 48), fill=main)
        draw.ellipse(box(38, 14, 62, 22), fill=dark)
        draw.ellipse(box(34, 50, 44, 74), fill=light)
        draw.line([pt(50, 16), pt(42, 2)], fill=(96, 120, 72),
                  width=round(1.6 * u))  # fmt: skip
        draw.ellipse(box(36, 0, 46, 8), fill=(120, 150, 90))
    elif shape == "notebook":
        draw.rounded_rectangle(box(30, 18, 74, 86), radius=3 * u, fill=_darker(colour, 0.35))
        draw.rounded_rectangle(box(26, 16, 70, 84), radius=3 * u, fill=main)
        draw.rectangle(box(62, 16, 65, 84), fill=dark)
        draw.rounded_rectangle(box(34, 30, 58, 40), radius=1.5 * u, fill=white)
        draw.line([pt(78, 20), pt(78, 80)], fill=(60, 60, 60),
                  width=round(3 * u))  # fmt: skip
        draw.polygon([pt(76.5, 80), pt(79.5, 80), pt(78, 86)],
                     fill=(214, 180, 130))  # fmt: skip
    elif shape == "plant":
        leaf = (84, 132, 84)
        for cx, cy, w, h in ((36, 30, 16, 34), (64, 30, 16, 34), (50, 18, 16, 40),
                             (28, 44, 22, 14), (72, 44, 22, 14)):  # fmt: skip
            draw.ellipse(box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), fill=leaf)
        draw.polygon([pt(28, 50), pt(72, 50), pt(64, 86),
                      pt(36, 86)], fill=main)  # fmt: skip
        draw.rectangle(box(25, 48, 75, 56), fill=dark)
        draw.polygon([pt(32, 56), pt(38, 56), pt(41, 84),
                      pt(37, 84)], fill=light)  # fmt: skip
    else:  # bottle
        draw.rounded_rectangle(box(34, 34, 66, 86), radius=7 * u, fill=main)
        draw.rectangle(box(45, 22, 55, 34), fill=dark)
        draw.rectangle(box(43, 16, 64, 22), fill=dark)
        draw.rounded_rectangle(box(39, 50, 61, 72), radius=2 * u, fill=white)
        draw.rounded_rectangle(box(37, 38, 42, 80), radius=2 * u, fill=light)
        draw.rounded_rectangle(box(68, 74, 90, 86), radius=4 * u, fill=_lighter(colour, 0.55))
    image = image.resize((size, size), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


class PicturePool:
    """Pictures drawn on first use and shared: one per (shape, colour, view)."""

    def __init__(self):
        self._stored: dict[tuple[str, str, int], StoredImage] = {}

    def __len__(self) -> int:
        return len(self._stored)

    def get(self, shape: str, colour_index: int, view: int) -> StoredImage:
        slot = (shape, colour_index, view)
        if slot not in self._stored:
            self._stored[slot] = store_image(draw_picture(shape, COLOURS[colour_index][1], view))
        return self._stored[slot]
