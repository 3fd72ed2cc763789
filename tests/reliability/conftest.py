"""Fixtures for the fault tests: a folder that cannot be written and a folder on a full disk,
each made the real way where the machine allows it (modes for a user, a read-only or tiny
tmpfs for root, who ignores modes)."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest


def _mount_tmpfs(folder: Path, options: str) -> bool:
    """Mount a tmpfs with `options` on `folder` (root only, and only where the machine lets a
    container mount); whether it worked."""
    if os.geteuid() != 0:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True
    )
    return done.returncode == 0


def _unmount(folder: Path) -> None:
    subprocess.run(["umount", str(folder)], capture_output=True, check=True)


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """An empty folder nothing can be written into: mode 0500 for a user; for root (whom modes
    do not stop) a read-only tmpfs, or the test is skipped where it cannot be mounted."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o500)
        yield folder
        folder.chmod(0o700)
    elif _mount_tmpfs(folder, "ro,size=64k"):
        yield folder
        _unmount(folder)
    else:
        pytest.skip("root ignores modes, and no read-only tmpfs can be mounted here")


class FullDisk:
    """A folder on a disk that is full: a tmpfs of a few pages where it can be mounted,
    otherwise writes of run folders and sweep records that raise ENOSPC. `free()` makes
    room, as a user deleting files would."""

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.folder = folder
        self.monkeypatch = monkeypatch
        self.mounted = _mount_tmpfs(folder, "size=8k")
        if not self.mounted:
            import sim.sweep.store

            def full(*_: object, **__: object) -> None:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

            monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
            monkeypatch.setattr(sim.sweep.store, "_write_atomic", full)

    def free(self) -> None:
        if self.mounted:
            subprocess.run(
                ["mount", "-o", "remount,size=64m", str(self.folder)], capture_output=True
            )
        else:
            self.monkeypatch.undo()

    def close(self) -> None:
        if self.mounted:
            _unmount(self.folder)


@pytest.fixture
def full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FullDisk]:
    """A folder on a full disk (see FullDisk); the commands must run in this process."""
    folder = tmp_path / "full"
    folder.mkdir()
    disk = FullDisk(folder, monkeypatch)
    yield disk
    disk.close()
