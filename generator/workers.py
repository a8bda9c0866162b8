"""Fresh interpreters that run a function of this package beside a build, on the second core:
the share cards' drawing (`cards.draw_cards`) and half of mkdocs' pages (`renderers.mkdocs_halves`).

Not `multiprocessing` workers: those import the caller's main module again, which runs a script
calling the build without a `__main__` guard twice."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def worker_command(module: str, function: str) -> list[str]:
    """This interpreter, isolated from the current folder (`-P`: a `generator/` folder there is
    not this package), importing this package from the folder this process imported it from and
    calling `module.function(stdin, stdout)` with the binary standard streams."""
    package_parent = str(Path(__file__).resolve().parent.parent)
    program = (f"import sys\nif {package_parent!r} not in sys.path: sys.path.insert(0, {package_parent!r})\n"
               f"from {module} import {function}\n{function}(sys.stdin.buffer, sys.stdout.buffer)\n")
    return [sys.executable, "-P", "-c", program]
