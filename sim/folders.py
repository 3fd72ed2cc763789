"""Writing into folders safely: what is written is staged in a hidden sibling named for its
writer (host and process) and renamed into place; what a killed writer left behind is removed
by the next writer in the same folder; and a folder is checked writable before any work is
spent on what would go into it."""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
from pathlib import Path

import psutil

#: This machine's name as it appears in staging names (letters, digits and `-` only).
HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname()) or "host"
#: Kinds of staged entries: a folder or file being written, an earlier one being replaced.
WRITING, OLD = "writing", "old"
#: `.NAME.KIND-HOST-PID-XXXXXXXX`, as `staged` names them (XXXXXXXX: tempfile's random part).
STAGED_NAME = re.compile(
    rf"^\..+\.(?:{WRITING}|{OLD})-(?P<host>[A-Za-z0-9-]+)-(?P<pid>\d+)-[a-z0-9_]{{8}}$"
)


def staged_prefix(name: str, kind: str = WRITING) -> str:
    """The start of the name of an entry staged for `name` by this process (see STAGED_NAME)."""
    return f".{name}.{kind}-{HOST}-{os.getpid()}-"


def staging_folder(target: Path, kind: str = WRITING) -> Path:
    """A new hidden folder beside `target`, named for this writer, with the mode the umask
    gives a new folder (mkdtemp's is 0700)."""
    folder = Path(tempfile.mkdtemp(prefix=staged_prefix(target.name, kind), dir=target.parent))
    folder.chmod(0o777 & ~umask())
    return folder


def staging_file(target: Path) -> tuple[int, Path]:
    """A new hidden file beside `target`, named for this writer: its descriptor and path."""
    handle, name = tempfile.mkstemp(prefix=staged_prefix(target.name), dir=target.parent)
    return handle, Path(name)


def writer_alive(pid: int) -> bool:
    """Whether process `pid` runs on this machine (a zombie, dead but not yet reaped, does
    not)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:  # another user's: it exists
        return True


def remove_stale(folder: Path) -> list[Path]:
    """Remove what killed writers staged in `folder`: entries named as `staged_prefix` names
    them, by a process of this machine that is gone (a writer elsewhere, sharing the folder
    over a network, is never judged). Returns what was removed."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = STAGED_NAME.match(entry.name)
        if match is None or match["host"] != HOST or writer_alive(int(match["pid"])):
            continue
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def own_entries(folder: Path) -> list[Path]:
    """The entries of `folder` that are not staged by a writer (see STAGED_NAME)."""
    return [entry for entry in folder.iterdir() if not STAGED_NAME.match(entry.name)]


def unwritable(path: Path) -> str | None:
    """Why nothing can be created at `path`, or None if it can: the nearest folder that exists
    (`path` itself, or the first of its parents) is tried by creating and removing an empty
    hidden folder in it, so a read-only file system and access lists count, and root's
    disregard of modes too."""
    path = Path(path).absolute()
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is None:
        return f"{path}: no part of the path exists"
    if not existing.is_dir():
        return f"{existing} is a file, not a folder"
    try:
        Path(tempfile.mkdtemp(prefix=staged_prefix("probe"), dir=existing)).rmdir()
    except OSError as error:
        return f"{existing}: cannot write there ({error.strerror or error})"
    return None


def umask() -> int:
    """The process's file-mode creation mask."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
