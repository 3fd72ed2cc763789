"""Tables as the commands give them: a `Sheet` of text cells, shown on a terminal (rich), as
plain text, as Markdown pipe tables or as LaTeX (booktabs); and a data frame as CSV. One
function per format; the commands build sheets (sim.cli.tables) and pick the format.

    table     rich tables on the terminal (plain text with --out)
    markdown  pipe tables, a bold title above each, its caption below
    latex     a table float per sheet: caption, booktabs tabular (toprule, midrule,
              bottomrule), the notes below; %, _, &, #, $, {, }, ~, ^ and \\ escaped,
              Chinese left as UTF-8 (compile with xelatex and xeCJK or ctex)
    csv       the numbers, unformatted, one row per comparison or index, with label columns
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table


class Format(StrEnum):
    """What `--format` may ask for."""

    table = "table"
    markdown = "markdown"
    latex = "latex"
    csv = "csv"


#: The width a column of names keeps on a narrow terminal (wrapping beyond it).
NAME_WIDTH = 20
#: Rows that stand for a break between sections of a sheet.
SECTION: tuple[str, ...] = ()


@dataclass
class Sheet:
    """A table of text cells: a title, headings, which columns hold numbers (aligned right),
    rows (SECTION between sections) and a caption under it."""

    title: str
    headings: list[str]
    numeric: list[bool]
    rows: list[Sequence[str]] = field(default_factory=list)
    caption: str = ""

    def add(self, *cells: str) -> None:
        self.rows.append(cells)

    def section(self) -> None:
        if self.rows and self.rows[-1] != SECTION:
            self.rows.append(SECTION)


def as_rich(sheet: Sheet) -> Table:
    """A sheet as a rich table, for the terminal."""
    out = Table(
        title=sheet.title or None,
        title_justify="left",
        caption=sheet.caption or None,
        caption_justify="left",
    )
    for i, (heading, numeric) in enumerate(zip(sheet.headings, sheet.numeric, strict=True)):
        # on a narrow terminal names wrap before numbers do, and keep a readable width
        cells = [len(row[i]) for row in sheet.rows if row != SECTION]
        least = None if numeric else min(NAME_WIDTH, max(cells, default=0))
        out.add_column(heading, justify="right" if numeric else "left", min_width=least)
    for row in sheet.rows:
        if row == SECTION:
            out.add_section()
        else:
            out.add_row(*row)
    return out


def as_text(sheets: Sequence[Sheet], width: int) -> str:
    """Sheets as plain text, as the terminal shows them, without colours."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, highlight=False)
    for sheet in sheets:
        console.print(as_rich(sheet))
    return buffer.getvalue()


def _markdown_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def as_markdown(sheets: Sequence[Sheet]) -> str:
    """Sheets as Markdown pipe tables: the title in bold above each, its caption below."""
    blocks = []
    for sheet in sheets:
        lines = [f"**{_markdown_cell(sheet.title)}**", ""] if sheet.title else []
        lines.append("| " + " | ".join(_markdown_cell(h) for h in sheet.headings) + " |")
        lines.append("|" + "|".join("---:" if n else ":---" for n in sheet.numeric) + "|")
        lines += [
            "| " + " | ".join(_markdown_cell(cell) for cell in row) + " |"
            for row in sheet.rows
            if row != SECTION
        ]
        if sheet.caption:
            lines += ["", _markdown_cell(sheet.caption)]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


#: LaTeX's special characters and how to write them in text.
LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def latex_escape(text: str) -> str:
    """Text with LaTeX's special characters escaped; anything else (Chinese too) as it is."""
    return "".join(LATEX_SPECIAL.get(char, char) for char in text)


def as_latex(sheets: Sequence[Sheet]) -> str:
    """Sheets as LaTeX table floats with booktabs rules (\\usepackage{booktabs})."""
    blocks = []
    for sheet in sheets:
        spec = "".join("r" if numeric else "l" for numeric in sheet.numeric)
        lines = [r"\begin{table}[htbp]", r"\centering"]
        if sheet.title:
            lines.append(rf"\caption{{{latex_escape(sheet.title)}}}")
        lines += [rf"\begin{{tabular}}{{{spec}}}", r"\toprule"]
        lines.append(" & ".join(latex_escape(h) for h in sheet.headings) + r" \\")
        lines.append(r"\midrule")
        for row in sheet.rows:
            if row == SECTION:
                lines.append(r"\midrule")
            else:
                lines.append(" & ".join(latex_escape(cell) for cell in row) + r" \\")
        lines += [r"\bottomrule", r"\end{tabular}"]
        if sheet.caption:
            lines.append(rf"\par\smallskip{{\footnotesize {latex_escape(sheet.caption)}}}")
        lines.append(r"\end{table}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def as_csv(frame: Any) -> str:
    """A data frame as CSV: a header row, the numbers as they are (full precision)."""
    return frame.to_csv(index=False)
