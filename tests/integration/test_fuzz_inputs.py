"""Property-based fuzzing of every scenario, experiment, drill and decisions file, and of random
YAML, through the validate path (tests/fuzz_inputs.py), in a process of its own under a memory
cap, with a deadline per case. A small budget here; a large one with

    GRIDSIM_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest tests/integration/test_fuzz_inputs.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FUZZ = Path(__file__).resolve().parents[1] / "fuzz_inputs.py"


def test_mutated_and_random_files_pass_or_exit_2_naming_the_file() -> None:
    examples = int(os.environ.get("GRIDSIM_FUZZ_EXAMPLES", "100"))
    env = {**os.environ, "GRIDSIM_FUZZ_EXAMPLES": str(examples)}
    env.pop("GRIDSIM_LIMITS", None)
    result = subprocess.run(
        [sys.executable, str(FUZZ)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60 + examples,  # about 0.2 s a case; the CI budget stays under a minute
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
