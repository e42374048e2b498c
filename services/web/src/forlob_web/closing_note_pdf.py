"""The closing note as a PDF: what the printable page shows (the course, the note, the goals'
attainment, the attendance statement and its chart), for the caseworker's case file.

The text is set in DejaVu Sans (shipped in ``fonts/``, its licence beside it) because names and
notes are not always Latin-1; the font is embedded as a subset, so the file stays small. The PDF
is made in memory for the person who asked and never kept.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"
NOTE_PARTS = ("summary", "resources", "development_possibilities", "next_step")


class _Document(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(auto=True, margin=18)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.cell(0, 5, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")

    def heading(self, text: str, size: float = 12) -> None:
        self.ln(3)
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, size * 0.55, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def fact(self, label: str, value: str) -> None:
        self.set_font(FAMILY, "B", 10)
        self.cell(45, 6, label)
        self.set_font(FAMILY, "", 10)
        self.multi_cell(0, 6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def paragraph(self, text: str, size: float = 10) -> None:
        self.set_font(FAMILY, "", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)


def closing_note_pdf(
    referral: Mapping[str, Any],
    note: Mapping[str, Any] | None,
    statement: Mapping[str, Any] | None,
    words: Mapping[str, Any],
    chart_png: bytes | None = None,
) -> bytes:
    """The PDF's bytes. ``words`` is what the pages speak with (``Web.words(lang)``)."""
    t: Callable[..., str] = words["t"]
    code: Callable[[str, str], str] = words["code"]
    day: Callable[[Any], str] = words["day_text"]
    decimal: Callable[..., str] = words["decimal"]
    short_id = str(referral["id"])[:8]
    pdf = _Document(f"{t('referral.closing_note')} #{short_id}")
    pdf.set_title(f"{t('referral.closing_note')} #{short_id}")
    pdf.add_page()

    participant = referral.get("participant") or {}
    title = f"{t('referral.closing_note')} #{short_id}"
    pdf.heading(f"{title}: {participant['name']}" if participant.get("name") else title, 16)
    pdf.fact(t("programme"), f"{referral.get('programme_code', '')} · {referral.get('provider_org', '')}")
    course = referral.get("course") or {}
    if course.get("start_date"):
        pdf.fact(t("referral.start_date"), day(course["start_date"]))
    if course.get("end_date"):
        pdf.fact(t("referral.end_date"), day(course["end_date"]))
    if course.get("outcome"):
        pdf.fact(t("referral.outcome"), code("outcome", course["outcome"]))

    pdf.heading(t("referral.closing_note"))
    if not note:
        pdf.paragraph(t("referral.no_closing_note"))
    else:
        for part in NOTE_PARTS:
            if note.get(part):
                pdf.set_font(FAMILY, "B", 10)
                pdf.cell(0, 6, t("note." + part), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.paragraph(str(note[part]))
        if note.get("goal_attainment"):
            pdf.set_font(FAMILY, "B", 10)
            pdf.cell(0, 6, t("note.goal_attainment"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            for goal in note["goal_attainment"]:
                pdf.paragraph(_attained("• ", goal["goal"], goal, code))
                for sub in goal.get("sub_goals") or []:
                    pdf.set_x(pdf.l_margin + 6)
                    pdf.paragraph(_attained("\u2013 ", sub["sub_goal"], sub, code))  # an en dash

    pdf.heading(t("referral.statement"))
    weeks = (statement or {}).get("weeks") or []
    if not weeks:
        pdf.paragraph(t("referral.no_statement"))
    else:
        _statement_table(pdf, statement or {}, t, decimal)
        if chart_png:
            pdf.ln(3)
            pdf.image(io.BytesIO(chart_png), w=pdf.epw)
    return bytes(pdf.output())


def _attained(mark: str, text: str, item: Mapping[str, Any], code: Callable[[str, str], str]) -> str:
    comment = f" ({item['comment']})" if item.get("comment") else ""
    return f"{mark}{text}: {code('attainment', item['attainment'])}{comment}"


def _statement_table(pdf: _Document, statement: Mapping[str, Any], t: Callable[..., str], decimal: Any) -> None:
    headings = (
        t("statement.week"),
        t("statement.agreed_hours"),
        t("statement.attended_hours"),
        t("statement.absent_hours"),
    )
    widths = (pdf.epw * 0.34, pdf.epw * 0.22, pdf.epw * 0.22, pdf.epw * 0.22)
    pdf.set_font(FAMILY, "B", 9)
    for heading, width in zip(headings, widths, strict=True):
        pdf.cell(width, 6, heading, border="B")
    pdf.ln()
    pdf.set_font(FAMILY, "", 9)
    for week in statement["weeks"]:
        cells = (
            str(week["week_start"]),
            decimal(week["agreed_hours"], 1),
            decimal(week["attended_hours"], 1),
            decimal(week["absent_hours"], 1),
        )
        for text, width in zip(cells, widths, strict=True):
            pdf.cell(width, 5.5, text)
        pdf.ln()
    totals = statement.get("totals") or {}
    rate = totals.get("attendance_rate")
    pdf.set_font(FAMILY, "B", 9)
    pdf.cell(widths[0], 6, t("statement.total"), border="T")
    pdf.cell(widths[1], 6, decimal(totals.get("agreed_hours") or 0, 1), border="T")
    pdf.cell(widths[2], 6, decimal(totals.get("attended_hours") or 0, 1), border="T")
    shown = t("not_applicable") if rate is None else f"{decimal(rate * 100, 0)} %"
    pdf.cell(widths[3], 6, f"{t('statement.rate')}: {shown}", border="T")
    pdf.ln()
