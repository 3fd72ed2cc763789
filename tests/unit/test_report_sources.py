"""How a report links a scenario's numbers to docs/sources.md: the ids a comment cites (ranges
and pieces of the article spelled out), a YAML line's comment (a `#` in quotes is not one), and
the text of each id read from docs/sources.md."""

from __future__ import annotations

from pathlib import Path

from sim.report.assumptions import comment_of
from sim.report.sources import SourceIndex, citations, is_assumption

ROOT = Path(__file__).resolve().parents[2]


def test_citations_spell_out_ranges_and_pieces():
    assert citations("article #2 (A84): overtime to 02:00-03:00") == ["article #2", "A84"]
    assert citations("heavy-tailed, P14-P15; article #2-#4") == [
        "P14",
        "P15",
        "article #2",
        "article #3",
        "article #4",
    ]
    assert citations("article #2/#5 (A15, A18)") == ["article #2", "article #5", "A15", "A18"]
    assert citations("see Q10 and A18, then A18 again") == ["Q10", "A18"]
    assert citations("the 12345 hotline, 8 h a day") == []


def test_assumptions_are_told_apart():
    assert is_assumption("assumption; informed by P6") and is_assumption("Assumed: 2 posts")
    assert not is_assumption("article #5 (A18)")


def test_a_comment_starts_at_a_hash_outside_quotes():
    assert comment_of("grids: 15   # article #5 (A18)") == "article #5 (A18)"
    assert comment_of('name: "room #2"   # assumption') == "assumption"
    assert comment_of("label: a#b") == ""
    assert comment_of("# a whole line") == "a whole line"


def test_the_index_reads_facts_statistics_results_and_pieces():
    index = SourceIndex.read(ROOT / "docs" / "sources.md")
    assert index.text("A18").startswith("北焦化社区")
    assert "NYC 311" in index.text("P1")
    assert index.text("Q10").startswith("Warm-up deletion")
    assert "让网格承载更有力" in index.text("article #5")
    assert index.text("A999") is None
    assert all(len(text) <= 280 for text in index.texts.values())
