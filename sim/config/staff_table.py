"""Staffing tables: how many members a team has in each place, read from a CSV file where a
source gives counts (盐池's 1,894 base grid workers, article #6).

The file has a header with at least the columns `unit` (the id of a street, a community, a grid
or the district) and `members` (a whole number ≥ 0); other columns (a `source`, notes) are kept
for the reader and ignored. How a unit's members are spread over its grids is sim.staffing's
business; this module only reads and checks the file.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

#: Columns every staffing table must have.
COLUMNS = ("unit", "members")
#: Largest staffing table read (bytes): far above a city's grids, far below a memory problem.
MAX_BYTES = 10_000_000


@dataclass(frozen=True)
class TableRow:
    """Members of a team in one unit, with the line of the file that says so."""

    unit: str
    members: int
    line: int


def read_staff_table(path: str | os.PathLike[str]) -> list[TableRow]:
    """The rows of a staffing table. Raises ValueError naming the line of the first problem
    (a missing column, a number that is not a whole number ≥ 0, a unit given twice)."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no staffing table at {os.fspath(path)!r}")
    if path.stat().st_size > MAX_BYTES:
        raise ValueError(f"{path.name} is larger than {MAX_BYTES:,} bytes")
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path.name}:1: the header lacks column(s) {', '.join(missing)}")
        rows: list[TableRow] = []
        seen: dict[str, int] = {}
        for record in reader:
            line = reader.line_num
            unit = (record["unit"] or "").strip()
            text = (record["members"] or "").strip()
            if not unit:
                raise ValueError(f"{path.name}:{line}: unit is empty")
            if not text.isdigit():
                raise ValueError(f"{path.name}:{line}: members must be a whole number ≥ 0")
            if unit in seen:
                first = seen[unit]
                raise ValueError(f"{path.name}:{line}: unit {unit!r} given again (line {first})")
            seen[unit] = line
            rows.append(TableRow(unit, int(text), line))
    return rows
