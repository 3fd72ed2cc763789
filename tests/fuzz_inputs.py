"""Fuzzing of the validate path (run by tests/integration/test_fuzz_inputs.py in a process of
its own, or by hand): mutations of every scenario, experiment, drill and decisions file of the
repository — a key deleted, a value replaced by a random one (huge integers, NaN, infinities,
negatives, strings, nested lists and mappings), a line duplicated, the file truncated — and
random text. Each case must validate or be refused with ScenarioError naming its file (exit 2),
never another exception, within DEADLINE seconds, under a memory cap; a scenario that validates
(a scenario file's, a drill's, an experiment's arms) then runs RUN_DAYS when its world is at most
RUN_HOUSEHOLDS households, and must run or be refused as bad input.

    python tests/fuzz_inputs.py            # GRIDSIM_FUZZ_EXAMPLES cases (default 100)
    GRIDSIM_FUZZ_EXAMPLES=5000 python tests/fuzz_inputs.py

Exit 0 when every case passed; hypothesis prints the smallest failing case otherwise.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.cli.validate import check_file
from sim.config.loader import ScenarioError, _Loader

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES_ENV = "GRIDSIM_FUZZ_EXAMPLES"
DEADLINE = 20  # seconds per case: a hang fails the case
RUN_DAYS = 0.25  # a scenario that validates runs this long (a Monday's night and early morning)
RUN_HOUSEHOLDS = 20_000  # ... when its world has at most this many (the city's would take long)
MEMORY_CAP = 1_500_000_000  # bytes of address space a case may add to the process's own


#: Cases that validated, scenarios of them that ran, cases refused as bad input (exit 2).
COUNTS = {"valid": 0, "ran": 0, "refused": 0}


class Hang(Exception):
    """A case ran past DEADLINE."""


def repository_files() -> list[str]:
    """Every YAML file a user may validate, relative to the repository."""
    patterns = ("scenarios/*.yaml", "scenarios/*/*.yaml", "experiments/*.yaml")
    return sorted(str(p.relative_to(ROOT)) for pattern in patterns for p in ROOT.glob(pattern))


SPECIAL = st.sampled_from(
    [
        10**12,
        10**100,
        2**63,
        -1,
        0,
        1e308,
        -1e308,
        "1e308",
        ".nan",
        "12345/h",
        "1e400/h",
        "-3h",
        "99999999999d",
        "a\x00b",
        "/dev/zero",
        "../nothere.yaml",
        "[bold]x[/bold]",
        ":100:",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    SPECIAL,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _slots(data: Any) -> list[tuple[Any, Any]]:
    """(container, key or index) of every value in `data`."""
    out = []
    if isinstance(data, dict):
        for key, value in data.items():
            out.append((data, key))
            out += _slots(value)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out.append((data, index))
            out += _slots(value)
    return out


def mutate(text: str, how: str, where: int, value: Any) -> str:
    """`text` mutated: `how` in delete, replace, add, duplicate, truncate; `where` picks the
    place (modulo the places there are)."""
    if how == "truncate":
        return text[: where % (len(text) + 1)]
    if how == "duplicate":
        lines = text.splitlines(keepends=True)
        i = where % max(len(lines), 1)
        return "".join(lines[: i + 1] + lines[i:])
    data = yaml.load(text, Loader=_Loader)  # the project's safe loader
    slots = _slots(data)
    if not slots:
        return text
    container, key = slots[where % len(slots)]
    if how == "delete":
        del container[key]
    elif how == "replace":
        container[key] = value
    elif isinstance(container[key], dict):  # add
        container[key][f"fuzz_{where}"] = value
    elif isinstance(container[key], list):
        container[key].append(value)
    else:
        container[key] = value
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def check(path: Path) -> None:
    """Validate `path` as `gridsim validate` does: it passes, or ScenarioError names where."""
    signal.alarm(DEADLINE)
    try:
        with (
            memory_capped(),
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            for _, scenario in check_file(str(path)):
                if households(scenario) <= RUN_HOUSEHOLDS:
                    sim.run(scenario, seed=1, days=min(RUN_DAYS, scenario.run.days))
                    COUNTS["ran"] += 1
        COUNTS["valid"] += 1
    except ScenarioError as exc:
        COUNTS["refused"] += 1
        assert exc.problems, "a ScenarioError without problems"
        for problem in exc.problems:
            assert problem.file and problem.message, problem
    finally:
        signal.alarm(0)


def households(scenario: sim.Scenario) -> int:
    """The most households the scenario's world may have (ranges at their high end)."""
    world = scenario.world
    return sum(
        community.most_households(world.grid_size)
        for street in world.streets
        for community in street.communities
    )


@contextlib.contextmanager
def memory_capped() -> Iterator[None]:
    """Within: the address space limited to what the process holds now plus MEMORY_CAP. Set
    afresh for each case, and lifted after it: over thousands of cases the process itself
    grows (the fuzzer's own records), and a cap set once would end up failing the fuzzer."""
    status = Path("/proc/self/status").read_text(encoding="utf-8")
    size = next(
        int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmSize:")
    )
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = size + MEMORY_CAP if hard == resource.RLIM_INFINITY else min(size + MEMORY_CAP, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _on_alarm(signum: int, frame: object) -> None:
    raise Hang(f"a case ran past {DEADLINE} s")


def main() -> int:
    """Run the fuzzing in a copy of scenarios/ and experiments/; 0 if no case failed."""
    examples = int(os.environ.get(EXAMPLES_ENV, "100"))
    signal.signal(signal.SIGALRM, _on_alarm)
    work = Path(tempfile.mkdtemp(prefix="gridsim-fuzz-"))
    for folder in ("scenarios", "experiments"):
        shutil.copytree(ROOT / folder, work / folder)
    files = repository_files()

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=examples <= 200,  # the CI budget: the same cases every time
    )
    @given(
        name=st.sampled_from(files),
        how=st.sampled_from(["delete", "replace", "add", "duplicate", "truncate"]),
        where=st.integers(min_value=0, max_value=10**6),
        value=VALUES,
    )
    def mutated(name: str, how: str, where: int, value: Any) -> None:
        path = work / name
        original = (ROOT / name).read_text(encoding="utf-8")
        try:
            path.write_text(mutate(original, how, where, value), encoding="utf-8")
            check(path)
        finally:
            path.write_text(original, encoding="utf-8")

    @settings(max_examples=max(examples // 4, 1), deadline=None, database=None)
    @given(text=st.one_of(st.text(), st.text(alphabet="{}[]:-,&*!|>'\"#\n\t ab1.")))
    def random_yaml(text: str) -> None:
        path = work / "scenarios" / "fuzz_random.yaml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        check(path)

    try:
        mutated()
        random_yaml()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"{COUNTS['valid']} cases validated ({COUNTS['ran']} scenarios of them ran), "
        f"{COUNTS['refused']} refused as bad input"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
