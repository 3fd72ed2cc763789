"""The pieces of gridsim's self-contained HTML reports (a study's report, a drill's after-action
report): a PNG embedded as base64 (no external asset, so the file can be mailed or opened
offline), table cells and tables with escaped text, sections, the page and its shared style."""

from __future__ import annotations

import base64
from html import escape

#: Style every report shares; a report adds its own rules after it.
STYLE = """
body { font-family: "Noto Sans", "Helvetica Neue", Arial, "Noto Sans CJK SC", "PingFang SC",
  "Microsoft YaHei", sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
  color: #222; line-height: 1.45; }
h1 { font-size: 1.7em; } h2 { margin-top: 2em; border-bottom: 2px solid #1f6fb4; }
table { border-collapse: collapse; margin: 1em 0; width: 100%; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { background: #eef3f8; } td.num { text-align: right; white-space: nowrap; }
img { width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { color: #444; font-size: 0.9em; margin: 0.3em 0 1.5em; }
.note { color: #555; font-size: 0.9em; }
code { font-size: 0.9em; }
"""


def image(picture: bytes, name: str, alt: str, caption: str = "") -> str:
    """A PNG embedded in the page as a data URI, in a figure with an optional caption."""
    data = base64.b64encode(picture).decode("ascii")
    source = f"data:image/png;base64,{data}"
    described = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return (
        f'<figure><img src="{source}" alt="{escape(alt)}" data-chart="{escape(name)}">'
        f"{described}</figure>"
    )


def cell(value: object, css: str = "") -> str:
    """A table cell holding `value` as text."""
    cls = f' class="{css}"' if css else ""
    return f"<td{cls}>{escape(str(value))}</td>"


def table(header: list[str] | None, rows: list[str]) -> str:
    """A table of rows of cells (each row's cells as HTML), with an optional header."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header or [])
    body = "".join(f"<tr>{row}</tr>" for row in rows)
    thead = f"<thead><tr>{head}</tr></thead>" if header else ""
    return f"<table>{thead}<tbody>{body}</tbody></table>"


def section(key: str, heading: str, body: str) -> str:
    """A section with an id and a heading."""
    return f'<section id="{escape(key)}"><h2>{escape(heading)}</h2>{body}</section>'


def page(title: str, body: list[str], lang: str = "en", style: str = STYLE) -> str:
    """A whole page: its language, title, style and body."""
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{style}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )
