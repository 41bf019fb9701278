"""The periodic review as a PDF, drawn with ReportLab (pure Python; WeasyPrint needs Pango and
friends from the system, which a fresh machine may not have — docs/decisions/0004-analytics-review-pdf.md).

Chinese text needs a CJK font: the Noto Sans SC TrueType files that `make assets` copies from npm into
static/vendor/fonts, else a TrueType CJK font the system has, else ReportLab's built-in STSong-Light
CID font (not embedded: the PDF viewer supplies the glyphs)."""

import io
import subprocess
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

VENDOR_FONTS = Path(__file__).resolve().parents[2] / "static" / "vendor" / "fonts"


def _system_cjk_fonts() -> list[str]:
    try:
        listing = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10,
                                 check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    paths = (line.split(":")[0].strip() for line in listing.splitlines())
    return sorted(path for path in paths if path.endswith(".ttf"))


@cache
def cjk_font_names() -> tuple[str, str]:
    """(regular, bold) font names registered with ReportLab."""
    candidates = [(VENDOR_FONTS / "NotoSansSC_400Regular.ttf", VENDOR_FONTS / "NotoSansSC_700Bold.ttf")]
    candidates += [(Path(path), Path(path)) for path in _system_cjk_fonts()]
    for regular, bold in candidates:
        if not regular.is_file():
            continue
        try:
            pdfmetrics.registerFont(TTFont("ReviewSans", str(regular)))
            pdfmetrics.registerFont(TTFont("ReviewSansBold", str(bold if bold.is_file() else regular)))
        except TTFError:
            continue
        return "ReviewSans", "ReviewSansBold"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light", "STSong-Light"


def review_pdf_render(*, title: str, subtitle: str, sections: list[dict]) -> bytes:
    regular, bold = cjk_font_names()
    heading = ParagraphStyle("heading", fontName=bold, fontSize=16, leading=22, spaceAfter=6)
    subheading = ParagraphStyle("subheading", fontName=bold, fontSize=12, leading=17, spaceBefore=10, spaceAfter=4)
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=13, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=regular, fontSize=8, leading=11, wordWrap="CJK")
    story = [Paragraph(escape(title), heading), Paragraph(escape(subtitle), body), Spacer(1, 4 * mm)]
    for section in sections:
        if section.get("title"):
            story.append(Paragraph(escape(section["title"]), subheading))
        for text in section.get("paragraphs", []):
            story.append(Paragraph(escape(text), body))
        if section.get("rows"):
            data = []
            if section.get("columns"):
                data.append([Paragraph(f"<b>{escape(str(column))}</b>", cell) for column in section["columns"]])
            data += [[Paragraph(escape(str(value)), cell) for value in row] for row in section["rows"]]
            table = Table(data, repeatRows=1 if section.get("columns") else 0, hAlign="LEFT")
            table.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8ced6")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            story.append(table)
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=title, leftMargin=15 * mm, rightMargin=15 * mm,
                      topMargin=15 * mm, bottomMargin=15 * mm).build(story)
    return buffer.getvalue()
