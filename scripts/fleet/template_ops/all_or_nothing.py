"""Commands that change several files at once either change all of them or leave them as they were."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class _Saved:
    """A file or directory tree as it was: its files' bytes and modes; None when it was absent."""

    path: Path
    files: dict[Path, tuple[bytes, int]] | None


def _save(path: Path) -> _Saved:
    if path.is_file():
        return _Saved(path, {path: (path.read_bytes(), path.stat().st_mode)})
    if path.is_dir():
        return _Saved(
            path,
            {
                file: (file.read_bytes(), file.stat().st_mode)
                for file in path.rglob("*")
                if file.is_file() and not file.is_symlink()
            },
        )
    return _Saved(path, None)


def _restore(saved: _Saved) -> None:
    if saved.path.is_dir() and not saved.path.is_symlink():
        shutil.rmtree(saved.path)
    elif saved.path.exists() or saved.path.is_symlink():
        saved.path.unlink()
    for file, (content, mode) in (saved.files or {}).items():
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(content)
        os.chmod(file, mode)


@contextmanager
def restored_on_failure(paths: Iterable[Path]) -> Iterator[None]:
    """Run the block; if it raises (Ctrl-C included), put every path back as it was.

    Each path is a file or a directory tree, present or not; a tree is restored whole, so
    files the block added inside it go too. Directories created above a path that was absent
    are left (empty), which git does not see.
    """
    saved = [_save(path) for path in dict.fromkeys(paths)]
    try:
        yield
    except BaseException:
        for entry in reversed(saved):
            _restore(entry)
        raise
