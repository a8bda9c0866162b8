"""Caches between runs: what one run made and the next can take instead of making it again.

Every entry is keyed by a hash of everything its value depends on (content-addressed), so a hit
is exactly what a fresh run would make and nothing is ever invalidated by hand:

- `LoadCache`: one content file after load and validate (`pipeline.check_project`), keyed by the
  file's bytes, path, kind and format and by `code_fingerprint` (the generator's code, Python,
  pydantic and PyYAML). In memory for a long-lived process (`serve`), which also keeps each
  file's key by its stamp and does not read again a file nobody wrote since; on disk under
  `build/cache/load/` for the next `thesis-site build`, which reads every file.
- `CardCache`: a share card's PNG bytes, keyed by `cards.card_key` (what the card shows, the
  font, Pillow and the card module's code), under `build/cache/cards/`.
- `SplitCache`: each listing's split over pages (`paging.measured_pages`), keyed by everything
  the split is made from (the listing's order, what its rows show of their documents, the
  templates, settings and code), under `build/cache/splits/`, for the next `thesis-site build`.
- `Memo`: in memory only, for `serve`: what a save would otherwise make again, keyed by what it
  is made from (each feed's files, each listing's measuring render) or by the identity of the
  unchanged model it is made from (each document's digest, each source's parts with the quotes
  verified against them).

On disk an entry is one file named by its key, so a run reads only what it asks for and writes
only what is new; at its end (`settle`) every entry it did not use is removed, so the folder
holds one build's worth. Anything wrong with a cache (a corrupt or unreadable entry, a folder
that cannot be written, `build/` or `build/cache` reached through a link) costs a miss, never an
error. The folder is git-ignored with `build/`; its pickles are read by an unpickler that makes
only the generator's data classes and a few standard types, so a planted entry cannot run code.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import io
import json
import os
import pickle
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ClassVar, Hashable, Iterable, NamedTuple, Protocol, TypeVar

import pydantic
import pydantic_core
import yaml

from .cards import Card, card_key
from .digests import folder_digest
from .discover import ContentFile
from .settings import ProjectPaths

V = TypeVar("V")

_KEY = re.compile(r"[0-9a-f]{64}")
_TEMPORARY = re.compile(r"\.[0-9a-f]{64}\.[0-9]+\.tmp")
_CHECKSUM_BYTES = 32


@functools.cache
def code_fingerprint() -> bytes:
    """What a check's result depends on besides the file: the generator package's code (every
    `.py` file, by path and bytes), Python, pydantic and PyYAML. Read once per process (a few ms)."""
    return _fingerprint_of(Path(__file__).parent, (
        sys.version, pydantic.VERSION, pydantic_core.__version__, yaml.__version__, str(yaml.__with_libyaml__)))


def _fingerprint_of(package: Path, versions: Iterable[str]) -> bytes:
    return hashlib.sha256("\0".join((folder_digest(package, "*.py"), *versions)).encode()).digest()


def load_key(file: ContentFile, raw: bytes) -> str:
    """The key of one content file's loaded and validated result."""
    digest = hashlib.sha256(code_fingerprint())
    digest.update(f"\0{file.relpath}\0{file.kind}\0{file.stem}\0{file.format}\0".encode("utf-8", "surrogatepass"))
    digest.update(raw)
    return digest.hexdigest()


def _placed(paths: ProjectPaths, folder: Path) -> bool:
    """Whether a cache folder is where the project puts it, not reached through a link: a link
    could point anywhere, and `settle` deletes entries there."""
    return folder.resolve() == paths.root.resolve() / folder.relative_to(paths.root)


class _EntryFolder:
    """Files named `<key><suffix>`, each its value followed by the value's SHA-256, so a truncated
    or damaged entry reads as missing. `readable` off: no entry is read (each is written anew),
    and those not written anew are still removed by `prune`."""

    def __init__(self, folder: Path, suffix: str, readable: bool = True) -> None:
        self.folder = folder
        self.suffix = suffix
        self.readable = readable
        try:
            names = os.listdir(folder)
        except OSError:
            names = []
        self.present = {name.removesuffix(suffix) for name in names
                        if name.endswith(suffix) and _KEY.fullmatch(name.removesuffix(suffix))}
        """Keys with an entry on disk: only these are read (when `readable`), and only these are ever removed."""
        self.abandoned = [name for name in names if _TEMPORARY.fullmatch(name)]
        """Temporaries a killed run left (`write`), removed by `prune`."""

    def holds(self, key: str) -> bool:
        return self.readable and key in self.present

    def read(self, key: str) -> bytes | None:
        if not self.holds(key):
            return None
        try:
            stored = (self.folder / f"{key}{self.suffix}").read_bytes()
        except OSError:
            stored = b""
        value, checksum = stored[:-_CHECKSUM_BYTES], stored[-_CHECKSUM_BYTES:]
        if len(stored) <= _CHECKSUM_BYTES or hashlib.sha256(value).digest() != checksum:
            self.present.discard(key)  # written anew by this run
            return None
        return value

    def write(self, key: str, value: bytes) -> None:
        """Written to a temporary name, then renamed: another run never reads half an entry."""
        path = self.folder / f"{key}{self.suffix}"
        temporary = self.folder / f".{key}.{os.getpid()}.tmp"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(value + hashlib.sha256(value).digest())
            os.replace(temporary, path)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            return
        self.present.add(key)

    def prune(self, used: set[str]) -> None:
        for name in [*(f"{key}{self.suffix}" for key in self.present - used), *self.abandoned]:
            with contextlib.suppress(OSError):
                (self.folder / name).unlink()
        self.present &= used
        self.abandoned = []


class _DataOnly(pickle.Unpickler):
    """Makes the generator's data classes (dataclasses, pydantic models, text types) and dates;
    any other global refuses the entry (see the pickle documentation, "Restricting Globals")."""

    _STANDARD: ClassVar[dict[tuple[str, str], type]] = {
        ("datetime", "date"): dt.date, ("datetime", "datetime"): dt.datetime,
        ("datetime", "time"): dt.time, ("datetime", "timedelta"): dt.timedelta,
    }

    _allowed: ClassVar[dict[tuple[str, str], type]] = {}
    """The generator's data classes found so far: a check reads 8,000 entries naming the same few."""

    def find_class(self, module: str, name: str) -> Any:
        found = self._STANDARD.get((module, name)) or self._allowed.get((module, name))
        if found is not None:
            return found
        if module.split(".")[0] == __package__:
            found = getattr(sys.modules.get(module), name, None)
            if isinstance(found, type) and (dataclasses.is_dataclass(found) or issubclass(found, (pydantic.BaseModel, str))):
                self._allowed[(module, name)] = found
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not data")


class FileStamp(NamedTuple):
    """A file as one `stat` found it: a write changes its size or times, a new file its inode."""

    device: int
    inode: int
    size: int
    modified_ns: int
    changed_ns: int
    """Set by every write (and rename, `utime`); no call sets it back."""

SETTLED_NS = 2_000_000_000
"""How long a file must have been left alone before it was read for its stamp to vouch for its
bytes: a write in the same tick of the file system's clock as the read would leave the stamp as
it was (git's "racily clean" files)."""


def file_stamp(status: os.stat_result) -> FileStamp:
    return FileStamp(status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


@dataclass(frozen=True)
class ReadAs:
    """What a file's bytes were keyed as when a run read them (`LoadCache.read_as`)."""

    stamp: FileStamp
    key: str
    blob: str | None


class LoadCache:
    """Loaded and validated content files by `load_key`: in memory, and on disk when given a
    folder. A run `take`s what it finds, `keep`s what it made, and `settle`s at its end.

    `remember`: keep the values in memory for the next run (a long-lived process such as `serve`),
    and each file's key by its stamp (`read_as`), so that a file nobody wrote since is not read
    again; a build, which checks once, lets them go with its publication."""

    def __init__(self, folder: Path | None = None, *, remember: bool = True, readable: bool = True) -> None:
        self._disk = _EntryFolder(folder, ".pickle", readable) if folder is not None else None
        self._remember = remember
        self._memory: dict[str, Any] = {}
        self._used: set[str] = set()
        self._unsaved: set[str] = set()
        self._read_before: dict[str, ReadAs] = {}
        """Project-relative path → what its bytes were keyed as, while its stamp stays (`remember`)."""
        self._read_now: dict[str, ReadAs] = {}

    def unchanged(self, relpath: str, stamp: FileStamp) -> ReadAs | None:
        """What a file's bytes were keyed as by an earlier run of this process, if its stamp is
        the one they were read with (no write since); None when it must be read."""
        known = self._read_before.get(relpath)
        if known is None or known.stamp != stamp:
            return None
        self._read_now[relpath] = known
        return known

    def read_as(self, relpath: str, stamp: FileStamp, key: str, blob: str | None, read_from_ns: int) -> None:
        """A file was read (its `stamp` taken after `read_from_ns`, `time.time_ns`) and its
        bytes keyed as `key`: the next run of this process takes the key by the stamp, unless the
        file was written less than `SETTLED_NS` before, when a later write could keep its stamp."""
        if self._remember and stamp.changed_ns < read_from_ns - SETTLED_NS:
            self._read_now[relpath] = ReadAs(stamp, key, blob)

    def take(self, keys: Iterable[str]) -> dict[str, Any]:
        """The value of each of `keys` the cache holds; every one of `keys` counts as used."""
        found: dict[str, Any] = {}
        for key in keys:
            self._used.add(key)
            value = self._memory.get(key)
            if value is None:
                value = self._read(key)
            if value is not None:
                found[key] = self._memory[key] = value
        return found

    def keep(self, key: str, value: Any) -> None:
        self._used.add(key)
        self._memory[key] = value
        self._unsaved.add(key)

    def settle(self) -> None:
        """The end of a run: the new entries written, every entry the run did not use removed."""
        if self._disk is not None:
            for key in sorted(self._unsaved & self._used):
                try:
                    data = pickle.dumps(self._memory[key], protocol=pickle.HIGHEST_PROTOCOL)
                except (pickle.PicklingError, TypeError, AttributeError, ValueError):
                    continue
                self._disk.write(key, data)
            self._disk.prune(self._used)
        self._memory = {key: self._memory[key] for key in self._used if key in self._memory} if self._remember else {}
        self._read_before = {path: read for path, read in self._read_now.items() if read.key in self._memory}
        self._used, self._unsaved, self._read_now = set(), set(), {}

    def _read(self, key: str) -> Any:
        data = self._disk.read(key) if self._disk is not None else None
        if data is None:
            return None
        try:
            return _DataOnly(io.BytesIO(data)).load()
        except Exception:  # noqa: BLE001 - a damaged pickle can raise nearly anything; it is only a miss
            self._disk.present.discard(key)  # type: ignore[union-attr]  # read above, so there is a folder
            return None


class CardCache:
    """Share cards' PNG bytes by `cards.card_key`, on disk; a card found there is not drawn
    (`machine_readable.card_files` draws the others and hands them back with `write`).

    `remember`: also keep each card's key in memory, by the card itself (a value), for the next
    run of a long-lived process (`serve`): an unchanged card is then not keyed again (its bytes,
    24 KB a card, are read from the folder: kept in memory they would cost 60 MB at 5,000 sources)."""

    def __init__(self, folder: Path, *, remember: bool = False, readable: bool = True) -> None:
        self._disk = _EntryFolder(folder, ".png", readable)
        self._used: set[str] = set()
        self._remember = remember
        self._keys: dict[Card, str] = {}
        self._shown: dict[Card, str] = {}
        """The cards of this run, with their key: what `settle` remembers (`remember`)."""

    def holds(self, card: Card) -> bool:
        """Whether the card has an entry (not read yet: `read` may still find it damaged); either
        way the run uses it."""
        return self._disk.holds(self.key(card))

    def read(self, card: Card) -> bytes | None:
        """The card's bytes as drawn before, or None; either way the run uses its entry."""
        return self._disk.read(self.key(card))

    def write(self, card: Card, data: bytes) -> None:
        """The bytes of a card `read` did not find, as drawn now."""
        self._disk.write(self.key(card), data)

    def key(self, card: Card) -> str:
        """The card's key (`cards.card_key`), made once per run (and per process, `remember`);
        the run uses its entry."""
        key = self._keys.get(card) or self._shown.get(card) or card_key(card)
        self._used.add(key)
        self._shown[card] = key
        return key

    def settle(self) -> None:
        """The end of a build: every card it did not use removed."""
        self._disk.prune(self._used)
        self._used = set()
        self._keys, self._shown = (self._shown if self._remember else {}), {}


class SplitCache:
    """Listings' splits by a digest of what each is made from (`build.plan_docs`), on disk: the
    bounds of every page and the digest of the listing's measuring render (`paging.ListingPage`:
    number, start, end, count, measured), as JSON. A build after an edit then renders whole and
    measures only the listings the edit shows up in (bench/README.md, "Thirteenth round").
    `settle` after a plan has split every listing: the entries it did not use go."""

    def __init__(self, folder: Path, *, readable: bool = True) -> None:
        self._disk = _EntryFolder(folder, ".json", readable)
        self._used: set[str] = set()

    def get(self, key: str, make: Callable[[], list[list[Any]]]) -> list[list[Any]]:
        """The bounds kept under `key`, or those `make` gives (kept for the next build)."""
        self._used.add(key)
        data = self._disk.read(key)
        if data is not None:
            with contextlib.suppress(ValueError):
                bounds = json.loads(data)
                if isinstance(bounds, list) and all(isinstance(page, list) and len(page) == 5 for page in bounds):
                    return bounds
        bounds = make()
        self._disk.write(key, json.dumps(bounds, separators=(",", ":")).encode())
        return bounds

    def settle(self) -> None:
        self._disk.prune(self._used)
        self._used = set()


class ByteCache:
    """Bytes the last build made, each by a digest of the value it was made from (its `repr`):
    all in one entry of a folder, read at the first value asked and written at `settle` when
    this build asked for other values. A build after an edit makes again only what the edit
    changed. The entry is named by the generator's code (`code_fingerprint`: Python's too), so no
    other code reads it. Three kinds are kept (bench/README.md, "Fifteenth round" to "Seventeenth
    round"): each feed item's and feed head's XML (`feeds.render_rss`, `render_atom`: 27,000
    items, 17 MB at 5,000 sources), each entity's entry in the JSON export, by what its model
    is made from (`export.export_tree_files`: 8,000 entities, 45 MB), and whether each quote is in
    the part of its source it cites, by that source file (`pipeline.check_project`: 15,000 quotes)."""

    def __init__(self, folder: Path, *, readable: bool = True) -> None:
        self._disk = _EntryFolder(folder, ".pickle", readable)
        self._name = hashlib.sha256(code_fingerprint()).hexdigest()
        self._memo: Memo | None = None
        """The bytes by digest: what the entry held, what this build asked for (read at the first value)."""

    def get(self, key: Hashable, make: Callable[[], bytes]) -> bytes:
        """The bytes kept for `key`, or what `make` gives (kept for the next build)."""
        if self._memo is None:
            self._memo = Memo(self._read())
        return self._memo.get(hashlib.sha256(repr(key).encode()).digest(), make)

    def _read(self) -> dict[Hashable, bytes]:
        data = self._disk.read(self._name)
        try:
            kept = _DataOnly(io.BytesIO(data)).load() if data is not None else {}
        except Exception:  # noqa: BLE001 - a damaged entry is a miss
            return {}
        if not (isinstance(kept, dict) and all(isinstance(k, bytes) and isinstance(v, bytes) for k, v in kept.items())):
            return {}
        return kept

    def settle(self) -> None:
        """After a build made all it keeps here: the entry holds what it asked for; others' entries go."""
        memo, self._memo = self._memo, None
        if memo is not None and memo.asked_for_others():
            self._disk.write(self._name, pickle.dumps(memo.asked(), protocol=pickle.HIGHEST_PROTOCOL))
        self._disk.prune({self._name})


_MISSING = object()


class Memo:
    """Values a run made, in memory, for the next run of a long-lived process (`serve`): keyed by
    everything the value is made from (a hashable value, such as a feed), or by the identity of
    an object the previous run also had (a content file's model, which `LoadCache` hands out
    again while its file is unchanged). What a run did not ask for is dropped when it settles."""

    def __init__(self, kept: dict[Hashable, Any] | None = None) -> None:
        self._kept: dict[Hashable, Any] = kept if kept is not None else {}
        """What earlier runs made (`kept`: read from disk, `ByteCache`)."""
        self._used: dict[Hashable, Any] = {}

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value under `key` (a tuple naming what it is first, as `of` does), made if no run had it."""
        value = self._used.get(key, _MISSING)
        if value is _MISSING:
            value = self._kept.get(key, _MISSING)
            self._used[key] = value = make() if value is _MISSING else value
        return value  # type: ignore[no-any-return]

    def of(self, what: str, thing: object, make: Callable[[], V], along: Hashable = None) -> V:
        """`what` (a name for the kind of value) made from `thing` itself, and from `along` if
        given (a value): kept with it, so its identity cannot pass to another object."""
        kept_with, value = self.get((what, id(thing), along), lambda: (thing, make()))
        assert kept_with is thing
        return value

    def of_all(self, what: str, things: tuple[object, ...], make: Callable[[], V]) -> V:
        """`what` made from each of `things` itself (as `of`, for a value made from several
        objects): kept with them all."""
        kept_with, value = self.get((what, *map(id, things)), lambda: (things, make()))
        assert all(kept is thing for kept, thing in zip(kept_with, things, strict=True))
        return value

    def settle(self) -> None:
        """The end of a run that made everything (a run stopped by errors asks for less, and does
        not settle): what it did not ask for is dropped."""
        self._kept, self._used = self._used, {}

    def asked(self) -> dict[Hashable, Any]:
        """What this run asked for, by key."""
        return self._used

    def asked_for_others(self) -> bool:
        """Whether this run asked for other keys than earlier runs made: what it holds changed."""
        return self._used.keys() != self._kept.keys()


class Remembers(Protocol[V]):
    """What `remembered` asks: a `Memo`, or a cache of one kind of value (`ByteCache`)."""

    def get(self, key: Hashable, make: Callable[[], V]) -> V: ...


def remembered(memo: Remembers[V] | None, key: Hashable, make: Callable[[], V]) -> V:
    """`memo.get(key, make)`, or `make()` when there is none (a build without that cache)."""
    return memo.get(key, make) if memo is not None else make()


@dataclass(frozen=True)
class Caches:
    """A build's caches; None where there is none (`use_cache` off, or a folder reached through a
    link; `memo` only in a long-lived process)."""

    load: LoadCache | None = None
    cards: CardCache | None = None
    memo: Memo | None = None
    splits: SplitCache | None = None
    """Only for a build: the preview keeps its splits in `memo`."""
    feeds: ByteCache | None = None
    """Only for a build: the preview keeps its feeds' XML in `memo`."""
    export: ByteCache | None = None
    """Only for a build: the preview keeps the export's entries in `memo`."""
    quotes: ByteCache | None = None
    """Only for a build: the preview keeps each source's parts, with the answers they gave, in `memo`."""

    def settle(self) -> None:
        """The end of a run that wrote the docs tree (the load and card caches settle as they are used)."""
        if self.memo is not None:
            self.memo.settle()


def project_caches(paths: ProjectPaths, use_cache: bool = True, remember: bool = False, refresh: bool = False) -> Caches:
    """The caches under the project's `build/cache` (`ProjectPaths.cache`), for one build, or
    for every rebuild of a long-lived process (`remember`: checked files kept in memory too).
    `use_cache` off: none. `refresh`: no entry is read, and the cache is left holding what this
    run made (`build --clean`: every file checked and every card drawn again, kept for the next build)."""
    memo = Memo() if remember else None
    if not use_cache:
        return Caches(memo=memo)
    load, cards, splits, feeds, export, quotes = (paths.cache / name for name in ("load", "cards", "splits", "feeds", "export", "quotes"))
    return Caches(LoadCache(load, remember=remember, readable=not refresh) if _placed(paths, load) else None,
                  CardCache(cards, remember=remember, readable=not refresh) if _placed(paths, cards) else None, memo,
                  SplitCache(splits, readable=not refresh) if not remember and _placed(paths, splits) else None,
                  ByteCache(feeds, readable=not refresh) if not remember and _placed(paths, feeds) else None,
                  ByteCache(export, readable=not refresh) if not remember and _placed(paths, export) else None,
                  ByteCache(quotes, readable=not refresh) if not remember and _placed(paths, quotes) else None)
