"""What docs/sources.md says about each id a scenario file cites: facts of the article (A1–A99),
public statistics (P ids), theoretical results (Q ids) and the article's pieces ("article #5").
Scenario files cite them in comments (`# article #5 (A18): "下设15个网格"`, `# P1, P3: …`,
`# assumption`); `citations` finds the ids in such a comment, `SourceIndex` gives each one's
text.

    index = SourceIndex.find()           # docs/sources.md of this checkout, if there is one
    citations("article #2 (A84): until 02:00")   # ['article #2', 'A84']
    index.text("A84")                    # '新北区, spring 2020: overtime until 02:00–03:00 …'
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

#: Where docs/sources.md is looked for: the working directory and the checkout gridsim runs from.
SOURCES_FILE = Path("docs") / "sources.md"
#: An id of docs/sources.md (A12, P3, Q10), a range of them (P14-P15) or a piece of the article
#: (article #5; article #2/#4 and #2-#4 name each piece).
CITED = re.compile(
    r"\b(?P<id>[APQ]\d{1,3})(?:\s*[-–]\s*(?P<to>[APQ]?\d{1,3})\b)?"
    r"|article\s+(?P<pieces>#\d(?:\s*[/,\-–]\s*#\d)*)"
)
#: Words of a comment that say a value is the model's own choice.
ASSUMED = re.compile(r"\bassum(?:ption|ed|es)\b", re.IGNORECASE)
#: Texts shown at most this long (the rest is in docs/sources.md).
LONGEST = 280


def citations(comment: str) -> list[str]:
    """The ids a comment cites, in order, each once: `A18`, `P14`, `P15` for `P14-P15`, and
    `article #2`, `article #4` for `article #2/#4`."""
    found: list[str] = []
    for match in CITED.finditer(comment):
        if match.group("pieces"):
            pieces = re.findall(r"#(\d)", match.group("pieces"))
            if "-" in match.group("pieces") or "–" in match.group("pieces"):
                first, last = int(pieces[0]), int(pieces[-1])
                pieces = [str(k) for k in range(first, last + 1)]
            found += [f"article #{k}" for k in pieces]
            continue
        first = match.group("id")
        found.append(first)
        to = match.group("to")
        if to:
            start, end = int(first[1:]), int(to.lstrip("APQ"))
            found += [f"{first[0]}{k}" for k in range(start + 1, end + 1) if end - start < 20]
    return list(dict.fromkeys(found))


def is_assumption(comment: str) -> bool:
    """Whether a comment says its value is an assumption."""
    return bool(ASSUMED.search(comment))


@dataclass(frozen=True)
class SourceIndex:
    """The short text of each id of docs/sources.md (empty when the file was not found)."""

    path: Path | None
    texts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> SourceIndex:
        """Parse docs/sources.md: the rows of its tables of facts and statistics (`| <a
        id="A18"></a>A18 | #5 | fact | …`: the fact), the headings of its theory (`### Q10
        Warm-up deletion …`: the title) and the table of the article's pieces (`| #5 | title |
        reporters | content |`: title and content)."""
        path = Path(path)
        texts: dict[str, str] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            row = re.match(r"\|\s*<a id=\"([AP]\d+)\"></a>\1\s*\|(.*)\|\s*$", line)
            if row:
                cells = [c.strip() for c in row.group(2).split(" | ")]
                # facts: | piece | fact | phrase | use |; statistics: | figure | source | use |
                text = cells[1] if row.group(1).startswith("A") and len(cells) > 1 else cells[0]
                texts[row.group(1)] = _short(text)
                continue
            heading = re.match(r"###\s+(Q\d+)\s+(.*)", line)
            if heading:
                texts[heading.group(1)] = _short(heading.group(2))
                continue
            piece = re.match(r"\|\s*#(\d)\s*\|\s*([^|]+)\|[^|]*\|\s*([^|]+)\|\s*$", line)
            if piece:
                texts[f"article #{piece.group(1)}"] = _short(
                    f"《瞭望》2021 No.2, piece {piece.group(1)}, {piece.group(2).strip()}: "
                    f"{piece.group(3).strip()}"
                )
        return cls(path, texts)

    @classmethod
    def find(cls, *near: str | os.PathLike[str]) -> SourceIndex:
        """docs/sources.md found beside `near` folders or their parents, in the working
        directory, or in the checkout gridsim is installed from; an empty index if none."""
        import sim

        places = [Path(p).resolve() for p in near] + [Path.cwd()]
        places.append(Path(sim.__file__).resolve().parents[1])
        for place in places:
            for folder in (place, *place.parents):
                if (folder / SOURCES_FILE).is_file():
                    return cls.read(folder / SOURCES_FILE)
        return cls(None)

    def text(self, key: str) -> str | None:
        """The text of an id, None if docs/sources.md has none."""
        return self.texts.get(key)


def _short(text: str) -> str:
    """Markdown cell text as plain text, cut at LONGEST characters."""
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # links: their words
    text = re.sub(r"<[^>]+>", "", text).replace("**", "").replace("`", "").strip()
    return text if len(text) <= LONGEST else text[: LONGEST - 1].rstrip() + "…"
