"""Share cards: the 1200×630 PNG a link preview shows for a thesis (title, direction badges,
proof line), drawn at build time with Pillow.

Pillow only: its wheels bundle FreeType, and `ImageFont.load_default(size=…)` is a scalable
font inside Pillow itself, so a fresh `pip install` draws the same card on any machine, with no
system font. That font covers printable ASCII and a few signs, nothing more: text is folded to
what it can draw (accents dropped, dashes and spaces simplified), and a title that still holds
a character it cannot draw (another script, an emoji) is replaced by the thesis id, which is
always ASCII. Nothing on a card is ever a box standing for a missing glyph.

The PNG is reproducible byte for byte: no timestamp, text or physical-size chunk, a fixed
compression level, and nothing that depends on the machine beyond Pillow's version.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import json
import pickle
import subprocess
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Sequence

import PIL
from PIL import Image, ImageDraw, ImageFont, features

from .workers import cores, worker_command

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
TEXT_WIDTH = WIDTH - 2 * MARGIN

BACKGROUND = (255, 255, 255)
INK = (33, 33, 33)
MUTED = (95, 99, 104)
BAND = (63, 81, 181)  # the site's indigo
DIRECTION_COLOURS = {"long": (27, 127, 59), "short": (179, 38, 30), "neutral": (95, 99, 104), "watch": (138, 109, 0)}
STRENGTH_COLOURS = {"strong": (27, 127, 59), "moderate": (138, 109, 0), "weak": (179, 38, 30), "unsupported": (179, 38, 30)}


def _palette() -> Image.Image:
    """Every colour a card holds: each text colour blended over its background in 16 steps
    (the anti-aliased edges), and the flat colours. Drawing in RGB and mapping onto these
    keeps the colours exact and makes the PNG a third of the size (and faster to compress)."""
    pairs = [(INK, BACKGROUND), (MUTED, BACKGROUND), (BAND, BACKGROUND)]
    pairs += [(colour, BACKGROUND) for colour in DIRECTION_COLOURS.values()]
    pairs += [(BACKGROUND, colour) for colour in DIRECTION_COLOURS.values()]
    colours: dict[tuple[int, ...], None] = {}
    for ink, ground in pairs:
        for step in range(16):
            colours[tuple(round(g + (i - g) * step / 15) for i, g in zip(ink, ground, strict=True))] = None
    assert len(colours) <= 256 and set(STRENGTH_COLOURS.values()) <= colours.keys()
    palette = Image.new("P", (1, 1))
    palette.putpalette([value for colour in colours for value in colour])
    return palette


PALETTE = _palette()

TITLE_SIZES = (68, 60, 54, 48, 42, 36)
TITLE_LINES = 4
BADGE_SIZE = 26
BADGE_ROWS = 2
PROOF_SIZES = (28, 26, 24, 22, 20)
PROOF_LINES = 2
PROOF_HEIGHT = 72

_FOLDED = {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
           "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2032": "'", "\u2033": '"', "\u00d7": "x"}
"""Characters the built-in font lacks, drawn as the ASCII sign readers take them for."""


@dataclass(frozen=True)
class Badge:
    direction: str
    asset: str


@dataclass(frozen=True)
class Card:
    """What one card shows; `fallback_title` (the thesis id) replaces a title the font cannot draw."""

    title: str
    fallback_title: str
    badges: tuple[Badge, ...]
    proof_line: str
    strength: str
    footer: str


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    font = ImageFont.load_default(size=size)
    if not isinstance(font, ImageFont.FreeTypeFont):  # Pillow built without FreeType: refuse, never draw bitmaps
        raise RuntimeError("Pillow was built without FreeType; share cards need it (pip install --force-reinstall pillow)")
    return font


@functools.cache
def _missing_glyph() -> bytes:
    return bytes(_font(40).getmask("\ue000"))  # a private-use character: no font here has it


@functools.lru_cache(maxsize=4096)
def drawable(character: str) -> bool:
    """Whether the built-in font has a glyph for `character` (a space always counts)."""
    if character == " ":
        return True
    if not character.isprintable():
        return False
    return bytes(_font(40).getmask(character)) != _missing_glyph()


def fold(text: str) -> str:
    """`text` as the built-in font can draw it: whitespace collapsed, compatibility forms and
    accents folded (é → e), dashes and special spaces simplified; characters without a drawable
    form are kept, for `can_draw` to notice."""
    out = []
    for character in unicodedata.normalize("NFKC", text):
        character = _FOLDED.get(character, character)
        if character.isspace():
            out.append(" ")
        elif drawable(character):
            out.append(character)
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", character) if not unicodedata.combining(c))
            out.append(base if base and all(drawable(c) for c in base) else character)
    return " ".join("".join(out).split())


def can_draw(text: str) -> bool:
    return all(drawable(c) for c in text)


def _wrap(text: str, font: ImageFont.FreeTypeFont, separator: str = " ") -> list[str]:
    """Greedy wrap at `separator`s (which do not end a line); a part wider than a line is cut
    between characters."""
    lines: list[str] = []
    line = ""
    for part in text.split(separator):
        candidate = f"{line}{separator}{part}" if line else part
        if font.getlength(candidate) <= TEXT_WIDTH:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for character in part:
            if line and font.getlength(line + character) > TEXT_WIDTH:
                lines.append(line)
                line = ""
            line += character
    if line:
        lines.append(line)
    return lines


def _fit(text: str, sizes: tuple[int, ...], height: int, max_lines: int, spacing: float,
         separator: str = " ") -> tuple[ImageFont.FreeTypeFont, list[str], int]:
    """(font, lines, line height) at the largest size whose lines fit `height`; at the smallest
    size the text is cut, its last line ending in '...'."""
    for size in sizes:
        font, line_height = _font(size), round(size * spacing)
        lines = _wrap(text, font, separator)
        if len(lines) <= min(max_lines, max(1, height // line_height)):
            return font, lines, line_height
    keep = min(max_lines, max(1, height // line_height))
    if len(lines) > keep:
        lines = lines[:keep]
        last = lines[-1]
        while last and font.getlength(last + "...") > TEXT_WIDTH:
            last = last[:-1]
        lines[-1] = last.rstrip() + "..."
    return font, lines, line_height


BADGE_PADDING, BADGE_GAP, BADGE_HEIGHT, BADGE_ROW = 16, 12, 44, 56


def _badge_rows(badges: tuple[Badge, ...], font: ImageFont.FreeTypeFont) -> list[list[tuple[str, tuple[int, int, int]]]]:
    """The badges in rows as wide as the text; past BADGE_ROWS rows, the last badges that do not
    fit give way to one '+N more'."""
    def width(label: str) -> float:
        return font.getlength(label) + 2 * BADGE_PADDING

    rows: list[list[tuple[str, tuple[int, int, int]]]] = []
    used = TEXT_WIDTH + 1.0
    for badge in badges:
        label = f"{badge.direction.upper()} {fold(badge.asset)}"
        if used + width(label) > TEXT_WIDTH:
            rows.append([])
            used = 0.0
        rows[-1].append((label, DIRECTION_COLOURS.get(badge.direction, MUTED)))
        used += width(label) + BADGE_GAP
    if len(rows) <= BADGE_ROWS:
        return rows
    hidden = sum(len(row) for row in rows[BADGE_ROWS:])
    rows = rows[:BADGE_ROWS]
    while True:
        more = f"+{hidden} more"
        used = sum(width(label) + BADGE_GAP for label, _ in rows[-1])
        if used + width(more) <= TEXT_WIDTH or not rows[-1]:
            rows[-1].append((more, MUTED))
            return rows
        rows[-1].pop()
        hidden += 1


@functools.lru_cache(maxsize=4096)
def render_card(card: Card) -> bytes:
    """The card as PNG bytes: the same bytes for the same card. Remembered, because `serve`
    regenerates every file on each edit and most cards never change (about 24 KB each)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    accent = STRENGTH_COLOURS.get(card.strength, MUTED)
    draw.rectangle((0, 0, WIDTH - 1, 15), fill=BAND)
    draw.rectangle((0, 16, 15, HEIGHT - 1), fill=accent)

    label_font = _font(24)
    draw.text((MARGIN, 44), "INVESTMENT THESIS", font=label_font, fill=MUTED)
    footer = fold(card.footer)
    if footer and can_draw(footer):
        draw.text((WIDTH - MARGIN, 44), footer, font=label_font, fill=MUTED, anchor="ra")

    proof = fold(card.proof_line)
    proof_font, proof_lines, proof_height = _fit(proof if can_draw(proof) else "", PROOF_SIZES, PROOF_HEIGHT, PROOF_LINES, 1.3, " | ")
    proof_top = HEIGHT - 48 - proof_height * len(proof_lines)
    y = proof_top
    for line in proof_lines:
        draw.text((MARGIN, y), line, font=proof_font, fill=accent)
        y += proof_height

    badge_font = _font(BADGE_SIZE)
    rows = _badge_rows(card.badges, badge_font)
    badges_top = proof_top - 28 - BADGE_ROW * len(rows)
    y = badges_top
    for row in rows:
        x = float(MARGIN)
        for label, colour in row:
            width = badge_font.getlength(label) + 2 * BADGE_PADDING
            draw.rounded_rectangle((x, y, x + width, y + BADGE_HEIGHT), radius=8, fill=colour)
            draw.text((x + width / 2, y + BADGE_HEIGHT / 2), label, font=badge_font, fill=BACKGROUND, anchor="mm")
            x += width + BADGE_GAP
        y += BADGE_ROW

    title = fold(card.title)
    if not title or not can_draw(title):
        title = fold(card.fallback_title)
    title_top = 96
    title_font, title_lines, line_height = _fit(title, TITLE_SIZES, badges_top - 20 - title_top, TITLE_LINES, 1.2)
    y = title_top
    for line in title_lines:
        draw.text((MARGIN, y), line, font=title_font, fill=INK)
        y += line_height

    buffer = io.BytesIO()
    image.quantize(palette=PALETTE, dither=Image.Dither.NONE).save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


DRAWN_BESIDE_FROM = 200
"""Cards to draw from which `draw_cards` draws them in a worker process (5-10 ms each: a clean
build at 5,000 sources draws 2,500); below it, the worker's start (0.1-0.2 s) costs more than it frees."""


def draw_cards(cards: Sequence[Card], beside_from: int | None = None) -> Callable[[], list[bytes]]:
    """Each card's PNG bytes, in order, from the function returned. From `beside_from` cards on
    (default `DRAWN_BESIDE_FROM`) and with a second core, a worker process starts drawing them
    now, while the caller goes on (the build renders its pages meanwhile, `build.render_docs`);
    the function waits for it. A worker that cannot start, fails or takes ten times what the
    drawing should leaves the cards to this process: the bytes are the same.

    The worker is a fresh interpreter that imports this module from where this process did
    (`workers.worker_command`), handed the cards and handing back their bytes as pickles through its
    pipes, which a thread of this process serves (so a worker whose bytes are never asked for,
    a build that failed meanwhile, still ends). Not a `multiprocessing` worker: that imports the
    caller's main module again, which runs a script calling the build without a `__main__`
    guard twice."""
    cards = tuple(cards)
    if len(cards) < (DRAWN_BESIDE_FROM if beside_from is None else beside_from) or cores() < 2:
        return functools.partial(_drawn_here, cards)
    try:
        worker = subprocess.Popen(worker_command(__name__, "draw_piped"), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL)
    except (OSError, ValueError, TypeError):  # no such interpreter, or none known (sys.executable empty)
        return functools.partial(_drawn_here, cards)
    output: list[bytes] = []
    talking = threading.Thread(target=_talk_to, args=(worker, pickle.dumps(cards, pickle.HIGHEST_PROTOCOL),
                                                      _worker_seconds(len(cards)), output),
                               name="card worker", daemon=True)
    talking.start()

    def drawn() -> list[bytes]:
        talking.join()
        images = _unpickled_images(output[0], len(cards)) if output else None
        return images if images is not None else _drawn_here(cards)

    return drawn


def _drawn_here(cards: tuple[Card, ...]) -> list[bytes]:
    return [render_card(card) for card in cards]


def _talk_to(worker: subprocess.Popen[bytes], cards: bytes, seconds: float, output: list[bytes]) -> None:
    """Hand the worker its cards and keep what it answers, if it ended well within `seconds`."""
    try:
        answer, _ = worker.communicate(cards, timeout=seconds)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.communicate()
        return
    except OSError:
        worker.kill()
        worker.wait()
        return
    if worker.returncode == 0:
        output.append(answer)


def _worker_seconds(cards: int) -> float:
    """How long a worker may take: ten times what drawing `cards` takes, and its start."""
    return 60 + cards / 10


def _unpickled_images(answer: bytes, count: int) -> list[bytes] | None:
    try:
        images = pickle.loads(answer)
    except Exception:  # noqa: BLE001 - damaged output: the worker failed, and this process draws
        return None
    if isinstance(images, list) and len(images) == count and all(isinstance(image, bytes) for image in images):
        return images
    return None


def draw_piped(cards_in: BinaryIO, images_out: BinaryIO) -> None:
    """`draw_cards`' worker: a pickled tuple of cards in, the pickled list of their PNG bytes out."""
    cards = pickle.load(cards_in)
    pickle.dump([render_card.__wrapped__(card) for card in cards], images_out, protocol=pickle.HIGHEST_PROTOCOL)


@functools.cache
def _drawing_fingerprint() -> bytes:
    """What a card's PNG bytes depend on besides the card: this module's code, the font's bytes,
    Pillow and the FreeType, zlib and Raqm it was built with."""
    font = _font(40)
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(font.font_bytes)
    for part in (PIL.__version__, *(features.version(name) or "-" for name in ("freetype2", "zlib", "raqm")), font.layout_engine):
        digest.update(f"\0{part}".encode())
    return digest.digest()


def card_key(card: Card) -> str:
    """The card's cache key (`caches.CardCache`): equal keys, equal PNG bytes."""
    digest = hashlib.sha256(_drawing_fingerprint())
    digest.update(json.dumps(dataclasses.asdict(card), sort_keys=True).encode("ascii"))
    return digest.hexdigest()

