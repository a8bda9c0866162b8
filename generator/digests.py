"""One digest of a folder's files, for everything that decides "unchanged" by content: the
generator's code (`caches.code_fingerprint`), the page templates (`render.make_environment`,
`pages.inputs.shared_digest`), the theme's overrides (the renderer's key) and a build's inputs
(`incremental.input_fingerprint`)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def folder_digest(folder: Path, pattern: str = "*") -> str:
    """SHA-256 over every file under `folder` matching `pattern`, by relative path and bytes, in
    path order; a link counts by where it points (never followed). A missing folder has the
    digest of an empty one."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob(pattern)) if folder.is_dir() else ():
        name = path.relative_to(folder).as_posix().encode("utf-8", "surrogateescape")
        if path.is_symlink():
            digest.update(b"link\0" + name + b"\0" + os.fsencode(os.readlink(path)) + b"\0")
        elif path.is_file():
            data = path.read_bytes()
            digest.update(b"file\0" + name + b"\0" + str(len(data)).encode() + b"\0" + data)
    return digest.hexdigest()
