"""The site's search index: Pagefind, built from the rendered HTML after the renderer.

Pagefind reads every page of the built site, keeps what the templates mark
(`data-pagefind-body` on the content of every page that is not a listing, see
`site_templates/overrides/main.html`; `data-pagefind-weight` on a thesis's), and writes a sharded
index into `pagefind/`: a reader's browser downloads only the shards of the words it searches
for, so what a first query costs grows with the words, not with the site. The binary comes from
the `pagefind[bin]` wheel and runs offline; its output is byte-identical for the same site.

`build_site` runs it as a stage of its own after the renderer; an edition (`publish`, built by
mike with mkdocs) runs it from mkdocs' `on_post_build` (`search_hook`).

A site for `file://` (`build --offline`) keeps material's own search, which is inlined into a
script: Pagefind fetches its shards with `fetch()`, which browsers refuse from `file://`.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

from .pages.urls import SEARCH_INDEX_FOLDER as SEARCH_FOLDER
from .settings import ProjectPaths

EXCLUDED = ".headerlink"
"""Left out of the index: the `¶` permalink after every heading (mkdocs' `toc` writes most of
them, so the templates cannot mark them `data-pagefind-ignore`)."""

TIMEOUT_SECONDS = 1800


def index_search(site: Path, output: Path | None = None, background: bool = False,
                 started: Callable[[subprocess.Popen[str]], None] | None = None) -> str | None:
    """Write Pagefind's index of the built `site` into `site/pagefind/` (or `output`); the error, or None.
    `background`: at a low priority, so that what runs beside it (the preview's next rebuild) goes first.
    `started`: given the Pagefind process once it runs (the preview stops it when it closes)."""
    target = ["--output-path", str(output)] if output is not None else ["--output-subdir", SEARCH_FOLDER]
    command = [sys.executable, "-m", "pagefind", "--site", str(site), *target,
               "--exclude-selectors", EXCLUDED, "--silent"]
    try:
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
            if background:
                with contextlib.suppress(OSError):
                    os.setpriority(os.PRIO_PROCESS, process.pid, 10)
            if started is not None:
                started(process)
            try:
                stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                raise
    except (OSError, subprocess.SubprocessError) as error:
        return f"pagefind: {error}"
    if process.returncode != 0:
        detail = (stderr or stdout).strip().splitlines()
        return f"pagefind: {detail[-1] if detail else f'exit {process.returncode}'}"
    if not ((output or site / SEARCH_FOLDER) / "pagefind.js").is_file():
        return "pagefind: wrote no index (no page marked data-pagefind-body?)"
    return None


HOOK = Path(__file__).with_name("search_hook.py")
"""The mkdocs hook that runs `index_search` at the end of an mkdocs build (editions)."""


def hooks_with_search(paths: ProjectPaths) -> list[str]:
    """mkdocs hooks for a build mkdocs runs itself (an edition, the preview): the project's own
    `hooks:`, then the one that indexes the site (`HOOK`). A `hooks` list handed to mkdocs (a
    keyword of `serve`, or a key over an INHERITed file) replaces the project's, so it carries
    them; they are paths relative to mkdocs.yml, and both callers keep that folder."""
    from mkdocs.utils.yaml import yaml_load

    try:
        with open(paths.mkdocs_config, "rb") as handle:
            config = yaml_load(handle)
    except (Exception, SystemExit):  # noqa: BLE001 - unreadable: mkdocs reports it when it loads the config
        config = None
    own = config.get("hooks") if isinstance(config, dict) else None
    return [*(str(hook) for hook in own or () if isinstance(own, list)), str(HOOK)]
