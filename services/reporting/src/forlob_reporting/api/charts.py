"""Charts where a person would rather look: matplotlib, rendered off the event loop.

Every chart is 8 x 4.5 inches: 800 x 450 pixels as PNG (100 dpi), 576 x 324 pt as SVG.
Figures are built as objects (no pyplot state), so concurrent requests do not share anything.
A chart's words (title, axis, legend) come in Danish, Swedish or English (``lang``, English when
not asked): the web's figures page asks in the reader's language. In SVG the words stay text
(``svg.fonttype: none``), so they can be read, searched and checked rather than drawn as paths.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from forlob_shared.texts import Text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.5, 100
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
CHART_LANGUAGE: Final = "en"

WORDS: dict[str, Text] = {
    "waiting_list.title": Text(
        "Venteliste ved udgangen af hver uge",
        "Väntelista vid slutet av varje vecka",
        "Waiting list at the end of each week",
    ),
    "waiting_list.axis": Text("ventende henvisninger", "väntande remisser", "referrals waiting"),
    "occupancy.title": Text(
        "Belægning (belagte pladser / kapacitet)",
        "Beläggning (upptagna platser / kapacitet)",
        "Occupancy (seats used / capacity)",
    ),
    "occupancy.axis": Text("andel af pladserne", "andel av platserna", "share of seats"),
    "attendance.title": Text(
        "Fremmødte timer pr. deltager og uge",
        "Närvarotimmar per deltagare och vecka",
        "Attended hours per participant and week",
    ),
    "hours": Text("timer", "timmar", "hours"),
    "outcomes.title": Text(
        "Udfald af de afsluttede forløb", "Utfall av de avslutade insatserna", "Outcomes of the courses that ended"
    ),
    "outcomes.axis": Text("andel af afsluttede forløb", "andel av avslutade insatser", "share of ended courses"),
    "outcomes.ordinary_work": Text("ordinært arbejde", "reguljärt arbete", "ordinary work"),
    "outcomes.education": Text("uddannelse", "utbildning", "education"),
    "outcomes.other": Text("andet", "annat", "other"),
    "statement.title": Text(
        "Aftalte og fremmødte timer pr. uge",
        "Avtalade timmar och närvarotimmar per vecka",
        "Agreed and attended hours per week",
    ),
    "statement.agreed": Text("aftalt", "avtalat", "agreed"),
    "statement.attended": Text("fremmødt (inkl. praktik)", "närvarande (inkl. praktik)", "attended (incl. internship)"),
}


def _word(key: str, lang: str) -> str:
    return WORDS[key].in_language(lang)


def _figure() -> tuple[Figure, Any]:
    # Imported on the first chart: matplotlib is about 20 MB of the service's resident memory,
    # and most replicas never draw one.
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    return figure, figure.add_subplot()


def _render(figure: Figure, fmt: str) -> bytes:
    figure.tight_layout()
    buffer = io.BytesIO()
    # Fixed metadata keeps the bytes reproducible (no creation date).
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    from matplotlib import rc_context

    with rc_context({"svg.fonttype": "none"}):
        figure.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata)
    return buffer.getvalue()


def _label(row: dict[str, Any]) -> str:
    parts = [row["programme_code"]]
    if row.get("referring_org"):
        parts.append(row["referring_org"])
    return " / ".join(parts)


def _by_group(rows: Sequence[dict[str, Any]], x: str, y: str) -> dict[str, tuple[list[Any], list[Any]]]:
    groups: dict[str, tuple[list[Any], list[Any]]] = defaultdict(lambda: ([], []))
    for row in rows:
        xs, ys = groups[_label(row)]
        xs.append(row[x])
        ys.append(row[y])
    return groups


def line_chart(rows: Sequence[dict[str, Any]], x: str, y: str, title: str, ylabel: str, fmt: str) -> bytes:
    figure, axes = _figure()
    for label, (xs, ys) in sorted(_by_group(rows, x, y).items()):
        axes.plot(xs, [v if v is not None else float("nan") for v in ys], label=label, drawstyle="steps-post")
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.grid(alpha=0.3)
    if rows:
        axes.legend(loc="best", fontsize="small")
    figure.autofmt_xdate()
    return _render(figure, fmt)


def waiting_list_chart(rows: Sequence[dict[str, Any]], fmt: str, lang: str = CHART_LANGUAGE) -> bytes:
    words = _word("waiting_list.title", lang), _word("waiting_list.axis", lang)
    return line_chart(rows, "week_start", "length", *words, fmt)


def occupancy_chart(rows: Sequence[dict[str, Any]], fmt: str, lang: str = CHART_LANGUAGE) -> bytes:
    return line_chart(rows, "day", "occupancy", _word("occupancy.title", lang), _word("occupancy.axis", lang), fmt)


def attendance_chart(rows: Sequence[dict[str, Any]], fmt: str, lang: str = CHART_LANGUAGE) -> bytes:
    words = _word("attendance.title", lang), _word("hours", lang)
    return line_chart(rows, "week_start", "mean_hours_per_participant", *words, fmt)


def outcomes_chart(rows: Sequence[dict[str, Any]], fmt: str, lang: str = CHART_LANGUAGE) -> bytes:
    rows = [r for r in rows if "outcomes" in r]  # an outreach team's row has no courses to end
    figure, axes = _figure()
    labels = [_label(r) for r in rows]
    classes = [(f"share_{name}", _word(f"outcomes.{name}", lang)) for name in ("ordinary_work", "education", "other")]
    bottom = [0.0] * len(rows)
    for column, name in classes:
        values = [r["outcomes"][column] or 0.0 for r in rows]
        axes.bar(labels, values, bottom=bottom, label=name)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_title(_word("outcomes.title", lang))
    axes.set_ylabel(_word("outcomes.axis", lang))
    axes.set_ylim(0, 1.15)  # headroom for the legend above the bars
    axes.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    axes.legend(loc="upper center", ncols=3, fontsize="small")
    return _render(figure, fmt)


def statement_chart(statement: dict[str, Any], fmt: str, lang: str = CHART_LANGUAGE) -> bytes:
    figure, axes = _figure()
    weeks = statement["weeks"]
    labels = [w["week_start"].strftime("%G-W%V") for w in weeks]
    positions = list(range(len(weeks)))
    axes.bar(
        [p - 0.2 for p in positions],
        [w["agreed_hours"] for w in weeks],
        width=0.4,
        label=_word("statement.agreed", lang),
    )
    attended = [w["attended_hours"] + w["internship_hours"] for w in weeks]
    axes.bar([p + 0.2 for p in positions], attended, width=0.4, label=_word("statement.attended", lang))
    axes.set_xticks(positions, labels, rotation=45, ha="right", fontsize="small")
    axes.set_title(_word("statement.title", lang))
    axes.set_ylabel(_word("hours", lang))
    highest = max([w["agreed_hours"] for w in weeks] + attended + [1.0])
    axes.set_ylim(0, highest * 1.25)  # headroom for the legend above the bars
    axes.legend(loc="upper center", ncols=2, fontsize="small")
    return _render(figure, fmt)
