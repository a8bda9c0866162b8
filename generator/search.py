"""The site's search index: Pagefind, built from the rendered HTML after the renderer, in shards.

Pagefind reads the pages of the built site, keeps what the templates mark (`data-pagefind-body`
on the content of every page that is not a listing, see `site_templates/overrides/main.html`;
`data-pagefind-weight` on a thesis's), and writes an index whose words are split into chunks: a
reader's browser downloads only the chunks of the words it searches for, so what a first query
costs grows with the words, not with the site. The binary comes from the `pagefind[bin]` wheel
and runs offline; its output is byte-identical for the same pages.

Pagefind has no incremental mode, and indexing 10,000 pages takes it half a minute. So the pages
are dealt into shards (`shard_of`: a page goes with its family, the first two folders of its
address, so that a thesis and its evidence pages share one), each indexed by a Pagefind run of
its own into `pagefind/<shard>/`, and the search box merges them in the browser (Pagefind's
`mergeIndex`; `pagefind/shards.js` lists them, `overrides/partials/search.html` reads it).
An update indexes again only the shards whose marked pages changed (`index_search`, `IndexState`):
one edited thesis costs one shard's run, not the whole site's, and a page Pagefind is not given
(the 404 page, a listing), which the renderer may write again on any update, costs none. The
number of shards grows with the site (`shard_count`), since every shard adds its
metadata and a chunk per searched word to a first query (bench/README.md, "Twelfth round").

`build_site` runs it as a stage of its own after the renderer; an edition (`publish`, built by
mike with mkdocs) runs it from mkdocs' `on_post_build` (`search_hook`); the preview in the
background after each save (`serve`).

A site for `file://` (`build --offline`) keeps material's own search, which is inlined into a
script: Pagefind fetches its shards with `fetch()`, which browsers refuse from `file://`.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from contextlib import AbstractContextManager
from typing import Callable, Collection, Mapping, Sequence

from .pages.urls import SEARCH_INDEX_FOLDER as SEARCH_FOLDER
from .settings import ProjectPaths
from .write import scan_tree

EXCLUDED = ".headerlink"
"""Left out of the index: the `¶` permalink after every heading (mkdocs' `toc` writes most of
them, so the templates cannot mark them `data-pagefind-ignore`)."""

TIMEOUT_SECONDS = 1800
"""For one Pagefind run."""

PAGES_PER_SHARD = 640
"""About how many pages a shard holds before the site is dealt into more of them."""

MOST_SHARDS = 16
"""Each shard adds its metadata and one chunk per searched word to a first query: 16 keep a
first query at 5,000 sources well within its 1 MB (bench/README.md, "Twelfth round")."""

MANIFEST = "shards.js"
"""In `pagefind/`: the shards the search box merges, as a script that sets `thesisSiteSearchShards`."""

SEARCH_BOX_FILES = ("pagefind-modular-ui.js", "pagefind-modular-ui.css")
"""Pagefind's modular UI, which the search box loads (once, from `pagefind/`)."""

SHARD_FILES = re.compile(r"pagefind\.js|pagefind-worker\.js|pagefind-entry\.json|wasm\.[\w-]+\.pagefind"
                         r"|pagefind\.[\w-]+\.pf_meta|index|fragment|filter")
"""What a shard keeps of a Pagefind run: the client, its worker and WebAssembly (the first shard
listed is the one the box loads them from) and the index. Pagefind's other UIs are left out."""

MARKED = re.compile(rb"<[a-z]+ data-pagefind-body[ >]")
"""A page Pagefind indexes: the templates' tag. Text that quotes it is escaped (`&lt;`)."""

Stamp = tuple[int, int]
"""A page's (size, modification time in nanoseconds), as `write.scan_tree` reads it: a page the
renderer kept in an update's linked copy has the stamp of the previous site's page, one it wrote
has the time it was written."""


@dataclass(frozen=True)
class IndexState:
    """What a site's index was made from: the marked pages of each shard that has an index, and
    the pages Pagefind was not given (unmarked), each with its stamp. A page whose stamp is the
    same is the same page: it is not read again to learn whether it is marked, and a shard whose
    marked pages all kept their stamps keeps its index, whatever happened to unmarked pages (the
    404 page and the listings, which the renderer may write again on every update)."""
    shards: Mapping[str, frozenset[tuple[str, Stamp]]]
    unmarked: Mapping[str, Stamp]


NO_INDEX = IndexState({}, {})


def shard_count(pages: int) -> int:
    """A power of two, so that a site that grows past a size deals its pages again at most once per doubling."""
    count = 1
    while count < MOST_SHARDS and count * 2 * PAGES_PER_SHARD <= pages:
        count *= 2
    return count


def shard_of(page: str, count: int) -> str:
    """The shard of a site page (`theses/t/evidence/e/index.html`): its family (`theses/t`, or the
    page itself at the root) decides it, so a page's shard never depends on another page's."""
    parts = page.split("/")
    family = "/".join(parts[:2]) if len(parts) > 2 else page
    number = int.from_bytes(hashlib.blake2b(family.encode(), digest_size=8).digest(), "big") % count
    return f"{count:02d}-{number:02d}"


def _site_pages(site: Path) -> dict[str, Stamp]:
    scanned = scan_tree(site, only=lambda name: name != SEARCH_FOLDER).stamps
    return {path: stamp for path, stamp in scanned.items() if path.endswith(".html")}


def _is_marked(page: Path) -> bool:
    with open(page, "rb") as handle:
        return MARKED.search(handle.read()) is not None


def _dealt(site: Path, pages: Mapping[str, Stamp], marked_before: Collection[tuple[str, Stamp]],
           unmarked_before: Mapping[str, Stamp]) -> IndexState:
    """`pages` (the site's, with their stamps) dealt into shards, the unmarked ones apart. Whether a
    page is marked is read from its file, unless it is known with the same stamp (`marked_before`,
    `unmarked_before`)."""
    marked: dict[str, Stamp] = {}
    unmarked: dict[str, Stamp] = {}
    for page, stamp in pages.items():
        if unmarked_before.get(page) == stamp:
            unmarked[page] = stamp
        elif (page, stamp) in marked_before or _is_marked(site / page):
            marked[page] = stamp
        else:
            unmarked[page] = stamp
    count = shard_count(len(pages))
    shards: dict[str, set[tuple[str, Stamp]]] = {}
    for page, stamp in marked.items():
        shards.setdefault(shard_of(page, count), set()).add((page, stamp))
    return IndexState({name: frozenset(members) for name, members in shards.items()}, unmarked)


def pagefind_version() -> str:
    return metadata.version("pagefind")


def index_state(site: Path, unmarked: Mapping[str, Stamp] | None = None) -> IndexState:
    """The state of a built site's index (`index_search` made it), taken as made from its pages
    as they are now: the shards it lists and holds an index of from this version of Pagefind (one
    it lists but holds no such index of is left out, to be made again). `unmarked`: the pages
    that run found unmarked (`IndexState.unmarked`, which the build records); without it, or for
    a page whose stamp has changed since, the page is read. An update of a linked copy of `site`
    takes this as the state of the copy's index."""
    folder = site / SEARCH_FOLDER
    try:
        listed = set(_read_manifest(folder))
    except (OSError, ValueError):
        return NO_INDEX
    if not all((folder / name).is_file() for name in SEARCH_BOX_FILES):
        return NO_INDEX
    version = pagefind_version()
    indexed = set()
    for name in listed:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            if json.loads((folder / name / "pagefind-entry.json").read_text(encoding="utf-8")).get("version") == version:
                indexed.add(name)
    pages = _site_pages(site)
    # The pages not recorded unmarked were indexed as they are; without a record, every page is read.
    indexed_as_they_are = set() if unmarked is None else {entry for entry in pages.items() if entry[0] not in unmarked}
    state = _dealt(site, pages, indexed_as_they_are, unmarked or {})
    return IndexState({name: pages for name, pages in state.shards.items() if name in indexed}, state.unmarked)


def index_search(site: Path, previous: IndexState | None = None, background: bool = False,
                 started: Callable[[subprocess.Popen[str]], None] | None = None,
                 scratch: Path | None = None,
                 placing: AbstractContextManager[object] | None = None) -> tuple[str | None, IndexState]:
    """Write Pagefind's index of the built `site` into `site/pagefind/`: (the error or None, what
    it was made from). `previous`: what the index already in `site/pagefind/` was made from; its
    shards whose pages are the same are kept, the others are made again, and the rest of the
    folder goes. Without it, the whole index is made.
    `background`: one run at a time, at a low priority, so that what runs beside it (the preview's
    next rebuild) goes first. `started`: given each Pagefind process once it runs (the preview
    stops them when it closes). `scratch`: where Pagefind works, on the site's filesystem (the pages
    are linked there); by default in the index folder, which a killed build's temporary site takes
    with it. `placing`: held while the new shards are put in place, the only time `site/pagefind/`
    changes when `scratch` is outside it (the preview's lock, which its whole rebuilds hold)."""
    folder = site / SEARCH_FOLDER
    previous = previous or NO_INDEX
    if not all((folder / name).is_file() for name in SEARCH_BOX_FILES):
        previous = NO_INDEX
    state = _dealt(site, _site_pages(site), {entry for pages in previous.shards.values() for entry in pages},
                   previous.unmarked)
    kept = {name for name, pages in state.shards.items() if previous.shards.get(name) == pages}
    stale = sorted(state.shards.keys() - kept)
    if scratch is None:
        folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".work-", dir=scratch or folder))
    try:
        workers = 1 if background else min(len(stale), os.cpu_count() or 1) or 1
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            runs = {name: pool.submit(_index_shard, site, sorted(page for page, _ in state.shards[name]), work / name,
                                      background, started) for name in stale}
        fresh: dict[str, Path] = {}
        for name in stale:
            outcome = runs[name].result()
            if isinstance(outcome, str):
                return f"pagefind: {outcome}", NO_INDEX
            fresh[name] = outcome
        with placing or contextlib.nullcontext():
            failure = _assemble(folder, fresh, kept, previous is NO_INDEX, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failure:
        return f"pagefind: {failure}", NO_INDEX
    return None, state


def _assemble(folder: Path, fresh: Mapping[str, Path], kept: set[str], new_box: bool, work: Path) -> str | None:
    """The index folder made of the `kept` shards already in it and the `fresh` ones, with the
    search box's files (copied again when `new_box`) and the list of shards; the rest of it goes."""
    gone = sorted(name for name in kept if not (folder / name / "pagefind-entry.json").is_file())
    if gone:  # the preview's site was built whole since the state was taken
        return f"shards {', '.join(gone)} went while the others were indexed; made again after the next save"
    if not kept and not fresh:
        return "wrote no index (no page marked data-pagefind-body?)"
    folder.mkdir(parents=True, exist_ok=True)
    for entry in list(folder.iterdir()):
        if entry == work or entry.name in kept or (entry.name in SEARCH_BOX_FILES and not new_box):
            continue
        shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    for name, output in fresh.items():
        _place(output, folder, name)
    _write_manifest(folder, sorted(kept | fresh.keys()))
    return None


def _index_shard(site: Path, pages: Sequence[str], work: Path, background: bool,
                 started: Callable[[subprocess.Popen[str]], None] | None) -> Path | str:
    """Index a shard's pages (all marked), linked into a folder of their own: Pagefind's output
    folder, or the error."""
    inputs = work / "pages"
    for page in pages:
        (inputs / page).parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(site / page, inputs / page)
        except OSError:
            shutil.copyfile(site / page, inputs / page)
    output = work / "index"
    command = [sys.executable, "-m", "pagefind", "--site", str(inputs), "--output-path", str(output),
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
        return str(error)
    if process.returncode != 0:
        detail = (stderr or stdout).strip().splitlines()
        return detail[-1] if detail else f"exit {process.returncode}"
    if not (output / "pagefind-entry.json").is_file():
        return f"wrote no index of {len(pages)} marked pages"
    for entry in list(output.iterdir()):
        if not (SHARD_FILES.fullmatch(entry.name) or entry.name in SEARCH_BOX_FILES):
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    return output


def _place(output: Path, folder: Path, name: str) -> None:
    """A shard's Pagefind output into `folder/name`, and the search box's files into `folder` when it has none."""
    for box_file in SEARCH_BOX_FILES:
        if not (folder / box_file).is_file():
            shutil.copyfile(output / box_file, folder / box_file)
        (output / box_file).unlink()
    output.rename(folder / name)


MANIFEST_START = "window.thesisSiteSearchShards = "


def _write_manifest(folder: Path, shards: list[str]) -> None:
    """Replaced, never written into: in an update's linked copy it is the previous site's file too."""
    text = f"{MANIFEST_START}{json.dumps([f'{name}/' for name in shards])};\n"
    temporary = folder / f".{MANIFEST}.tmp"
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, folder / MANIFEST)


def _read_manifest(folder: Path) -> list[str]:
    text = (folder / MANIFEST).read_text(encoding="utf-8")
    if not text.startswith(MANIFEST_START):
        raise ValueError(f"{MANIFEST} is not one this module wrote")
    listed = json.loads(text.removeprefix(MANIFEST_START).rstrip().removesuffix(";"))
    if not isinstance(listed, list) or not all(isinstance(name, str) and name.endswith("/") for name in listed):
        raise ValueError(f"{MANIFEST} lists no shards")
    return [name.removesuffix("/") for name in listed]


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
