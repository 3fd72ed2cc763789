"""Running the command line in the test's own process, for the CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import cli


def gridsim_main(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """`cli.main(ARGS)` in this process (the console script's code path, without the cost of
    starting an interpreter); returns (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exit_info:
        cli.main([str(arg) for arg in args])
    code = exit_info.value.code
    captured = capsys.readouterr()
    return (code if isinstance(code, int) else 1), captured.out, captured.err
