"""Charts where a person would rather look: matplotlib, rendered off the event loop.

Every chart is 8 x 4.5 inches: 800 x 450 pixels as PNG (100 dpi), 576 x 324 pt as SVG.
Figures are built as objects (no pyplot state), so concurrent requests do not share anything.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.5, 100
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


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


def waiting_list_chart(rows: Sequence[dict[str, Any]], fmt: str) -> bytes:
    return line_chart(rows, "week_start", "length", "Waiting list at the end of each week", "referrals waiting", fmt)


def occupancy_chart(rows: Sequence[dict[str, Any]], fmt: str) -> bytes:
    return line_chart(rows, "day", "occupancy", "Occupancy (seats used / capacity)", "share of seats", fmt)


def attendance_chart(rows: Sequence[dict[str, Any]], fmt: str) -> bytes:
    return line_chart(
        rows, "week_start", "mean_hours_per_participant", "Attended hours per participant and week", "hours", fmt
    )


def outcomes_chart(rows: Sequence[dict[str, Any]], fmt: str) -> bytes:
    figure, axes = _figure()
    labels = [_label(r) for r in rows]
    classes = (("share_ordinary_work", "ordinary work"), ("share_education", "education"), ("share_other", "other"))
    bottom = [0.0] * len(rows)
    for column, name in classes:
        values = [r["outcomes"][column] or 0.0 for r in rows]
        axes.bar(labels, values, bottom=bottom, label=name)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_title("Outcomes of the courses that ended")
    axes.set_ylabel("share of ended courses")
    axes.set_ylim(0, 1.15)  # headroom for the legend above the bars
    axes.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    axes.legend(loc="upper center", ncols=3, fontsize="small")
    return _render(figure, fmt)


def statement_chart(statement: dict[str, Any], fmt: str) -> bytes:
    figure, axes = _figure()
    weeks = statement["weeks"]
    labels = [w["week_start"].strftime("%G-W%V") for w in weeks]
    positions = list(range(len(weeks)))
    axes.bar([p - 0.2 for p in positions], [w["agreed_hours"] for w in weeks], width=0.4, label="agreed")
    attended = [w["attended_hours"] + w["internship_hours"] for w in weeks]
    axes.bar([p + 0.2 for p in positions], attended, width=0.4, label="attended (incl. internship)")
    axes.set_xticks(positions, labels, rotation=45, ha="right", fontsize="small")
    axes.set_title("Agreed and attended hours per week")
    axes.set_ylabel("hours")
    highest = max([w["agreed_hours"] for w in weeks] + attended + [1.0])
    axes.set_ylim(0, highest * 1.25)  # headroom for the legend above the bars
    axes.legend(loc="upper center", ncols=2, fontsize="small")
    return _render(figure, fmt)
