"""A linked copy of a built site, which an incremental build updates (`incremental`).

A copy of every file as a hard link costs the filesystem one entry per file and folder: 2-3
seconds for the 48,000 entries of a 5,000-source site, all of it waiting on the kernel. The
build needs the copy only when the renderer starts, so it makes it in a process of its own
(`LinkedCopy`) while it checks the content and writes the docs tree: the copy then costs no
time of its own (bench/README.md, "Thirteenth round"). A thread would not do: the check holds
the interpreter's lock, and the copy waits for it after each of its system calls.

This module imports nothing of the generator, so the process starts in a fraction of a second.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Collection


def link_copy(source: Path, target: Path, leave_out: Collection[str] = ()) -> None:
    """`target` (an empty folder) gets every file of `source` as a hard link, or a copy where links
    cannot be made, but the top-level entries named in `leave_out` (what another stage makes
    again). The renderer must never write into a linked file: it replaces what it writes (see
    the renderers' `update`), so `source` stays as it was."""
    for folder, subfolders, files in os.walk(source):
        if folder == str(source):
            subfolders[:] = [name for name in subfolders if name not in leave_out]
            files = [name for name in files if name not in leave_out]
        relative = os.path.relpath(folder, source)
        destination = target / relative if relative != "." else target
        destination.mkdir(exist_ok=True)
        for name in files:
            try:
                os.link(os.path.join(folder, name), destination / name, follow_symlinks=False)
            except OSError:
                shutil.copy2(os.path.join(folder, name), destination / name, follow_symlinks=False)


class LinkedCopy:
    """`link_copy` under way in a child process, started at once: `wait` for it before the copy
    is read, `stop` it (whatever it got to) when the build does not need it or fails."""

    def __init__(self, source: Path, target: Path, leave_out: Collection[str] = ()) -> None:
        # -P: the project's own folder (the working directory) is not searched for modules.
        command = [sys.executable, "-P", "-m", __name__, os.fspath(source), os.fspath(target), *leave_out]
        self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.PIPE, text=True)

    def wait(self) -> None:
        """Until the copy is whole; OSError if it failed."""
        _out, errors = self._process.communicate()
        if self._process.returncode != 0:
            detail = errors.strip().splitlines()
            raise OSError(f"the linked copy of the previous site failed: {detail[-1] if detail else self._process.returncode}")

    def stop(self) -> None:
        """The copy killed if it still runs; it is the caller's to remove what it made."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        if self._process.stderr is not None:
            self._process.stderr.close()


if __name__ == "__main__":
    link_copy(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:])
