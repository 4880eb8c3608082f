"""Housekeeping of the index folder: the temp folder a build writes, what a killed build leaves
beside the index, and which folders a build may replace."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from policyqa.errors import IndexFolderError

# What a build writes into the index folder; a folder holding none of these is not replaced.
INDEX_ENTRIES = frozenset(
    {"manifest.json", "chunks.jsonl", "documents.jsonl", "vectors", "vectors.faiss", "bm25"}
)


def temp_folder(folder: Path) -> Path:
    """The folder a build of `folder` writes before swapping it in."""
    return folder.parent / f".{folder.name}.tmp-{os.getpid()}"


def check_replaceable(folder: Path) -> None:
    """Refuse to replace a folder that is not an index (a wrong POLICYQA_INDEX must not delete files)."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise IndexFolderError(f"{folder} is not a folder; set POLICYQA_INDEX to a folder for the index")
    names = {p.name for p in folder.iterdir()}
    # Damaged, half-deleted or cluttered, a folder holding any of an index's files is one.
    if names and not names & INDEX_ENTRIES:
        shown = ", ".join(sorted(names - INDEX_ENTRIES)[:3])
        raise IndexFolderError(
            f"{folder} does not look like a policyqa index (it holds {shown}); "
            "point POLICYQA_INDEX at an empty or new folder, or remove that folder first"
        )


_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)$")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def clean_stale(folder: Path) -> list[str]:
    """Remove what killed builds of `folder` left beside it; returns what was done, one line each.

    Call it holding the build lock. A `.<name>.tmp-<pid>` folder whose process is gone (or is this
    one) is a half-written index: removed. A `.<name>.old-<pid>` folder is the previous index,
    moved aside by a build killed between its two renames: put back when the index is missing.
    """
    folder = Path(folder)
    if not folder.parent.is_dir():
        return []
    done = []
    for path in sorted(folder.parent.iterdir()):
        match = _LEFTOVER.match(path.name)
        if not match or match["name"] != folder.name:
            continue
        pid = int(match["pid"])
        if pid != os.getpid() and _pid_alive(pid):
            continue
        if match["kind"] == "old" and not folder.exists() and (path / "manifest.json").is_file():
            os.replace(path, folder)
            done.append(f"restored the index {folder} that an interrupted build had moved to {path.name}")
            continue
        shutil.rmtree(path, ignore_errors=True)
        if path.is_file():
            path.unlink(missing_ok=True)
        done.append(f"removed {path}, left by an interrupted build (process {pid})")
    return done
