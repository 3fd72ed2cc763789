"""YAML loading: extends, --set overrides, safe loading and errors with file:line: path."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from pydantic import Field, model_validator

from sim.config.base import StrictModel
from sim.config.distributions import Distribution, Fixed, LogNormal
from sim.config.loader import Problem, ScenarioError, load_data, load_validated, validate_dict
from sim.config.units import ClockTime, Probability, Rate


class Item(StrictModel):
    kind: str
    share: Probability


class Source(StrictModel):
    rate: Rate
    mix: list[Item] = Field(default_factory=list)
    service: Distribution = Fixed(value=1.0)


class Scenario(StrictModel):
    name: str
    sources: dict[str, Source] = Field(default_factory=dict)
    start: ClockTime = 8.0
    end: ClockTime = 18.0
    tags: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> Scenario:
        if self.start > self.end:
            raise ValueError("start must not be after end")
        return self


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


BASE = """
name: base
sources:
  resident:
    rate: 2/day
    mix:
      - kind: noise
        share: 0.5
      - kind: repair
        share: 0.5
  patrol:
    rate: 1/h
start: 08:00
end: 19:30
tags: [a, b, c]
"""


def problems(error: pytest.ExceptionInfo[ScenarioError]) -> list[tuple[str, str, int | None]]:
    return [(Path(p.file).name, p.path, p.line) for p in error.value.problems]


def test_valid_file(tmp_path: Path) -> None:
    model, data = load_validated(write(tmp_path, "s.yaml", BASE), Scenario)
    assert model.sources["resident"].rate == pytest.approx(2 / 24)
    assert model.end == 19.5  # 19:30 is a clock time, not YAML 1.1's base-60 integer 1170
    assert data["end"] == "19:30"
    assert data["sources"]["resident"]["rate"] == "2/day"


def test_extends_deep_merge(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE)
    child = write(
        tmp_path,
        "variants/child.yaml",
        """
        extends: ../base.yaml
        name: child
        sources:
          resident:
            mix:
              - kind: noise
                share: 1.0
          hotline:
            rate: 3/day
        tags: [z]
        """,
    )
    model, data = load_validated(child, Scenario)
    assert "extends" not in data
    assert model.name == "child"
    assert model.sources["resident"].rate == pytest.approx(2 / 24)  # kept from the parent
    assert [i.kind for i in model.sources["resident"].mix] == ["noise"]  # list replaced
    assert set(model.sources) == {"resident", "patrol", "hotline"}  # mappings merged
    assert model.tags == ["z"]
    assert model.end == 19.5

    _, origins = load_data(child)
    assert origins["sources.resident.rate"] == (str(tmp_path / "base.yaml"), 4)
    assert origins["sources.resident.mix.0.share"] == (str(child), 7)
    assert "sources.resident.mix.1" not in origins


def test_extends_chain_of_three(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "name: a\ntags: [a]\n")
    write(tmp_path, "b.yaml", "extends: a.yaml\ntags: [b]\nstart: '07:00'\n")
    c = write(tmp_path, "c.yaml", "extends: b.yaml\nname: c\n")
    model, _ = load_validated(c, Scenario)
    assert (model.name, model.tags, model.start) == ("c", ["b"], 7.0)


def test_extends_cycle(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "extends: b.yaml\nname: a\n")
    write(tmp_path, "b.yaml", "name: b\nextends: a.yaml\n")
    with pytest.raises(ScenarioError, match=r"extends cycle: .*a\.yaml -> .*b\.yaml -> .*a\.yaml"):
        load_data(tmp_path / "a.yaml")


def test_extends_self(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="extends cycle"):
        load_data(write(tmp_path, "a.yaml", "extends: a.yaml\n"))


def test_missing_parent_points_at_extends_line(tmp_path: Path) -> None:
    path = write(tmp_path, "child.yaml", "name: x\nextends: nowhere.yaml\n")
    with pytest.raises(ScenarioError) as error:
        load_data(path)
    assert problems(error) == [("child.yaml", "extends", 2)]
    assert "file not found" in str(error.value)
    assert str(error.value).startswith(f"{path}:2: extends: ")


def test_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", BASE)
    model, data = load_validated(
        path,
        Scenario,
        [
            "sources.patrol.rate=3",
            "sources.resident.mix.1.share=0.25",
            "sources.resident.service={dist: lognormal, median: 15min, cv: 0.5}",
            "sources.new.rate=10/day",
            "tags=[x, y]",
            "name = spaced ",
            "end=24:00",
        ],
    )
    assert model.sources["patrol"].rate == 3.0
    assert model.sources["resident"].mix[1].share == 0.25
    assert model.sources["resident"].service == LogNormal(median=0.25, cv=0.5)
    assert model.sources["new"].rate == pytest.approx(10 / 24)
    assert model.tags == ["x", "y"]
    assert model.name == "spaced"
    assert model.end == 24.0
    assert data["sources"]["patrol"]["rate"] == 3


@pytest.mark.parametrize(
    ("text", "value"),
    [("x=3", 3), ("x=0.5", 0.5), ("x=true", True), ("x=15min", "15min"), ("x=1e-3", 0.001)],
)
def test_override_values_are_yaml(tmp_path: Path, text: str, value: object) -> None:
    data, origins = load_data(write(tmp_path, "s.yaml", "name: s\n"), [text])
    assert data["x"] == value
    assert origins["x"] == ("--set", None)


def test_override_creates_mappings_and_marks_origin(tmp_path: Path) -> None:
    data, origins = load_data(write(tmp_path, "s.yaml", "name: s\n"), ["a.b.c=[1, 2]"])
    assert data["a"] == {"b": {"c": [1, 2]}}
    assert origins["a.b.c.1"] == ("--set", None)
    assert origins["a"] == ("--set", None)


def test_override_does_not_leak_through_yaml_aliases(tmp_path: Path) -> None:
    text = "name: s\nx: &shared {v: 1}\ny: *shared\n"
    data, _ = load_data(write(tmp_path, "s.yaml", text), ["x.v=2"])
    assert data["x"] == {"v": 2}
    assert data["y"] == {"v": 1}


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ("name", "expected KEY=VALUE"),
        ("=3", "empty key"),
        ("a..b=3", "empty key"),
        ("name.first=3", "cannot set 'first' inside name"),
        ("tags.x=3", "not a list index"),
        ("tags.9=3", "out of range"),
        ("x=[1,", "bad value"),
        ("x=!!python/object/apply:os.system [ls]", "not allowed"),
    ],
)
def test_malformed_override(tmp_path: Path, override: str, fragment: str) -> None:
    path = write(tmp_path, "s.yaml", BASE)
    with pytest.raises(ScenarioError) as error:
        load_data(path, [override])
    (problem,) = error.value.problems
    assert problem.file == "--set"
    assert problem.line is None
    assert fragment in problem.message


def test_all_bad_overrides_reported(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as error:
        load_data(write(tmp_path, "s.yaml", BASE), ["a", "b", "name=ok"])
    assert len(error.value.problems) == 2


def test_validation_error_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.yaml",
        BASE.replace("rate: 2/day", "rate: -1").replace(
            "share: 0.5\n  patrol", "share: 1.5\n  patrol"
        ),
    )
    with pytest.raises(ScenarioError) as error:
        load_validated(path, Scenario)
    assert problems(error) == [
        ("s.yaml", "sources.resident.rate", 4),
        ("s.yaml", "sources.resident.mix.1.share", 9),
    ]
    assert str(error.value).splitlines()[0] == (
        f"{path}:4: sources.resident.rate: rate must not be negative, got -1"
    )


def test_error_in_list_item_and_parent_file(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE.replace("kind: repair", "kind: [repair]"))
    child = write(tmp_path, "child.yaml", "extends: base.yaml\nsources:\n  patrol:\n    rate: x\n")
    with pytest.raises(ScenarioError) as error:
        load_validated(child, Scenario)
    assert problems(error) == [
        ("base.yaml", "sources.resident.mix.1.kind", 8),
        ("child.yaml", "sources.patrol.rate", 4),
    ]


def test_error_from_override_has_set_origin(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as error:
        load_validated(write(tmp_path, "s.yaml", BASE), Scenario, ["sources.patrol.rate=-2"])
    assert str(error.value).startswith("--set: sources.patrol.rate: rate must not be negative")


def test_unknown_key_and_missing_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.yaml",
        """
        name: s
        sources:
          resident:
            mix: []
            rtae: 2/day
        """,
    )
    with pytest.raises(ScenarioError) as error:
        load_validated(path, Scenario)
    assert problems(error) == [
        ("s.yaml", "sources.resident.rate", 3),  # missing: the line of its parent
        ("s.yaml", "sources.resident.rtae", 5),
    ]
    assert "unknown key" in error.value.problems[1].message


def test_discriminated_union_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.yaml",
        """
        name: s
        sources:
          resident:
            rate: 1
            service:
              dist: weibull
              shape: 2
          patrol:
            rate: 1
            service: {dist: lognormal, median: 1h, cv: -1}
        """,
    )
    with pytest.raises(ScenarioError) as error:
        load_validated(path, Scenario)
    assert problems(error) == [
        ("s.yaml", "sources.resident.service.dist", 6),
        ("s.yaml", "sources.patrol.service.cv", 10),
    ]
    first, second = error.value.problems
    assert "unknown dist 'weibull'" in first.message
    assert "'lognormal'" in first.message
    assert "https://" not in str(error.value)
    assert second.message == "Input should be greater than 0 (got -1)"


def test_model_validator_error(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "name: s\nstart: '20:00'\nend: '08:00'\n")
    with pytest.raises(ScenarioError) as error:
        load_validated(path, Scenario)
    assert error.value.problems == [Problem(str(path), "", None, "start must not be after end")]


def test_unsafe_tag_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "name: s\nx: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(ScenarioError) as error:
        load_data(path)
    assert problems(error) == [("s.yaml", "", 2)]
    assert "not allowed" in str(error.value)


def test_syntax_error_line(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "name: s\nsources:\n  a: 1\n b: 2\n")
    with pytest.raises(ScenarioError) as error:
        load_data(path)
    (problem,) = error.value.problems
    assert problem.line == 4
    assert problem.message.startswith("invalid YAML")


def test_duplicate_key(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "name: s\nsources:\n  a: 1\n  a: 2\n")
    with pytest.raises(ScenarioError) as error:
        load_data(path)
    assert problems(error) == [("s.yaml", "sources.a", 4)]
    assert "line 3" in str(error.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("", "empty"), ("- a\n- b\n", "must be a mapping"), ("just text\n", "must be a mapping")],
)
def test_top_level_not_a_mapping(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(ScenarioError, match=fragment):
        load_data(write(tmp_path, "s.yaml", text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as error:
        load_validated(tmp_path / "nope.yaml", Scenario)
    assert problems(error) == [("nope.yaml", "", None)]
    assert "file not found" in str(error.value)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes("name: 网格\n".encode("gbk"))
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_data(path)


def test_utf8_content(tmp_path: Path) -> None:
    model, _ = load_validated(write(tmp_path, "s.yaml", "name: 新北区\n"), Scenario)
    assert model.name == "新北区"


def test_validate_dict() -> None:
    assert validate_dict({"name": "x"}, Scenario).name == "x"
    with pytest.raises(ScenarioError) as error:
        validate_dict({"name": "x", "sources": {"a": {"rate": "fast"}}}, Scenario, source="nb")
    assert str(error.value).startswith("nb: sources.a.rate: invalid rate 'fast'")


def test_loader_writes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", BASE)
    before = sorted(tmp_path.rglob("*"))
    load_validated(path, Scenario, ["name=y"])
    assert sorted(tmp_path.rglob("*")) == before
