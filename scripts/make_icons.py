"""Draw Veracity's PWA icons: a shield with a "V" check mark in the brand colours.

    .venv/bin/python scripts/make_icons.py

Writes veracity/static/icons/icon.svg, icon-192.png, icon-512.png and icon-512-maskable.png. Pure
Python (zlib PNG writer, supersampled polygon fill), so it needs no imaging library. The shapes are
defined once, on a 512×512 canvas, and used for both the SVG and the PNGs."""

import math
import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "veracity" / "static" / "icons"
NAVY = (0x1F, 0x3B, 0x73)
BLUE = (0x2F, 0x6F, 0xED)
WHITE = (0xFF, 0xFF, 0xFF)
SUPERSAMPLE = 4

Point = tuple[float, float]


def rounded_square(size: float, radius: float, steps: int = 12) -> list[Point]:
    points: list[Point] = []
    corners = [(size - radius, radius, -90), (size - radius, size - radius, 0),
               (radius, size - radius, 90), (radius, radius, 180)]
    for cx, cy, start in corners:
        for step in range(steps + 1):
            angle = math.radians(start + 90 * step / steps)
            points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def quadratic(p0: Point, p1: Point, p2: Point, steps: int = 16) -> list[Point]:
    return [((1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * p1[0] + t * t * p2[0],
             (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * p1[1] + t * t * p2[1])
            for t in (step / steps for step in range(1, steps + 1))]


# The shield: flat shoulders, straight sides, curving to a point.
SHIELD_SVG = "M256 72 L392 120 L392 250 Q392 380 256 448 Q120 380 120 250 L120 120 Z"
SHIELD = [(256, 72), (392, 120), (392, 250), *quadratic((392, 250), (392, 380), (256, 448)),
          *quadratic((256, 448), (120, 380), (120, 250)), (120, 120)]
# The "V", drawn as a check mark with a short left arm.
V_MARK = [(168, 190), (222, 190), (256, 296), (302, 168), (356, 168), (284, 360), (230, 360)]


def svg() -> str:
    v_points = " ".join(f"{x:g},{y:g}" for x, y in V_MARK)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">\n'
        '  <title>Veracity</title>\n'
        f'  <rect width="512" height="512" rx="96" fill="#{bytes(NAVY).hex()}"/>\n'
        f'  <path d="{SHIELD_SVG}" fill="#{bytes(BLUE).hex()}"/>\n'
        f'  <polygon points="{v_points}" fill="#{bytes(WHITE).hex()}"/>\n'
        "</svg>\n"
    )


def coverage(polygon: list[Point], size: int) -> list[float]:
    """Fraction of each pixel inside `polygon` (even-odd rule), by supersampled scanlines."""
    cover = [0.0] * (size * size)
    edges = list(zip(polygon, polygon[1:] + polygon[:1], strict=True))
    weight = 1 / SUPERSAMPLE
    for sub_row in range(size * SUPERSAMPLE):
        y = (sub_row + 0.5) / SUPERSAMPLE
        crossings = sorted(
            x0 + (y - y0) * (x1 - x0) / (y1 - y0)
            for (x0, y0), (x1, y1) in edges
            if (y0 <= y < y1) or (y1 <= y < y0)
        )
        row = (sub_row // SUPERSAMPLE) * size
        for start, end in zip(crossings[::2], crossings[1::2], strict=False):
            start, end = max(0.0, start), min(float(size), end)
            if end <= start:
                continue
            first, last = int(start), min(int(end), size - 1)
            if first == last:
                cover[row + first] += (end - start) * weight
                continue
            cover[row + first] += (first + 1 - start) * weight
            for x in range(first + 1, last):
                cover[row + x] += weight
            cover[row + last] += (end - last) * weight
    return cover


def render(size: int, *, maskable: bool) -> bytes:
    scale = size / 512
    # A maskable icon is full-bleed; its drawing sits inside the central 80% safe zone.
    inner = 0.8 if maskable else 1.0
    offset = 256 * (1 - inner)

    def place(points: list[Point]) -> list[Point]:
        return [((x * inner + offset) * scale, (y * inner + offset) * scale) for x, y in points]

    background = [(0, 0), (size, 0), (size, size), (0, size)] if maskable else place(rounded_square(512, 96))
    pixels = [[0.0, 0.0, 0.0, 0.0] for _ in range(size * size)]
    for polygon, colour in ((background, NAVY), (place(SHIELD), BLUE), (place(V_MARK), WHITE)):
        for index, amount in enumerate(coverage(polygon, size)):
            if amount <= 0:
                continue
            alpha = min(1.0, amount)
            pixel = pixels[index]
            out_alpha = alpha + pixel[3] * (1 - alpha)
            for channel in range(3):
                pixel[channel] = (colour[channel] * alpha + pixel[channel] * pixel[3] * (1 - alpha)) / out_alpha
            pixel[3] = out_alpha
    raw = bytearray()
    for y in range(size):
        raw.append(0)  # filter: none
        for r, g, b, a in pixels[y * size:(y + 1) * size]:
            raw.extend((round(r), round(g), round(b), round(a * 255)))
    return png(size, size, bytes(raw))


def png(width: int, height: int, raw_rgba_rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw_rgba_rows, 9)) + chunk(b"IEND", b""))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "icon.svg").write_text(svg())
    for name, size, maskable in (("icon-192.png", 192, False), ("icon-512.png", 512, False),
                                 ("icon-512-maskable.png", 512, True)):
        (OUT / name).write_bytes(render(size, maskable=maskable))
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
