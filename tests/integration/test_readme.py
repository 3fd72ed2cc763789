"""The README's two set-up commands and CI stay in step."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def setup_commands() -> list[str]:
    """The shell commands in the README's "Set up" section, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, re.S)]


def test_readme_has_two_setup_commands_install_run_and_test():
    install, tests = setup_commands()
    assert "pip install" in install and "gridsim run scenarios/baseline.yaml" in install
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command_verbatim():
    _, tests = setup_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci


def test_the_experiment_shown_in_the_readme_is_valid(tmp_path: Path):
    from sim.sweep import load_experiment
    from sim.sweep.spec import design_points, runs_of

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Experiments", 1)[1].split("\n## ", 1)[0]
    example = re.findall(r"```yaml\n(.*?)```", section, re.S)[0]
    assert len(example.splitlines()) <= 20
    path = ROOT / "experiments" / f"{tmp_path.name}.yaml"  # its paths are relative to experiments/
    try:
        path.write_text(example, encoding="utf-8")
        experiment = load_experiment(path)
        runs = runs_of(experiment, path.parent)
    finally:
        path.unlink()
    points = {tuple(point.items()) for point in design_points(experiment)}
    assert len(design_points(experiment)) == 6 * (2 + 1)  # Morris: trajectories × (ranges + 1)
    assert len(runs) == 3 * 2 * len(points) * 10  # arms × levels × distinct points × replications
    assert all(Path(run.scenario).is_file() for run in runs)
