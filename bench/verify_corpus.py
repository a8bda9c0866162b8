"""Check that bench/make_corpus.py writes a valid corpus.

    python bench/verify_corpus.py              # generate 200 sources (seed 0) in a temp dir, check it
    python bench/verify_corpus.py CORPUS_DIR   # check CORPUS_DIR/content as it is

Every file is parsed twice, once with PyYAML's safe loader (YAML 1.1 resolution: dates, ints,
`ON`/`NO` booleans, sexagesimal `1:20:30`) and once with a loader that keeps every plain scalar
as `generator.yamlscalars.PlainScalar` (what the project's loader hands to the models); both
must validate with `generator.models.CONTENT_MODELS[kind]` and give equal models, so the corpus
never depends on how a resolver reads an unquoted scalar. Then every reference is resolved and
every non-paraphrase quote is matched, as whole words, in the text its locator points at
(after lowercasing, collapsing whitespace and straightening typographic quotes). Without an
argument it also checks that the same seed writes byte-identical files. Exit 1 on any problem.
"""

from __future__ import annotations

import collections
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generator.models import CONTENT_MODELS  # noqa: E402
from generator.yamlscalars import PlainScalar  # noqa: E402

FOLDERS = {"sources": "source", "theses": "thesis", "assets": "asset", "people": "person"}
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictMixin:
    def construct_mapping(self, node, deep=False):  # duplicate keys are an error in the project
        keys = [k.value for k, _ in node.value]
        dupes = {k for k in keys if keys.count(k) > 1}
        if dupes:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate keys {sorted(dupes)}", node.start_mark)
        return super().construct_mapping(node, deep)


class Yaml11Loader(_StrictMixin, _Base):
    """yaml.safe_load, plus duplicate-key detection."""


class PlainLoader(_StrictMixin, _Base):
    """Every unquoted scalar becomes a PlainScalar, as in the project's loader."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0]:
            return "!plain"
        return super().resolve(kind, value, implicit)


PlainLoader.add_constructor("!plain", lambda loader, node: PlainScalar(node.value))

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def norm(text: str) -> str:
    return " ".join(text.translate(_QUOTES).lower().split())


def whole_words_in(quote: str, located: str) -> bool:
    """`quote` is a run of whole words of `located` (its last word may drop trailing , ; :)."""
    qw, lw = norm(quote).split(), norm(located).split()
    n = len(qw)
    endings = (qw[-1], qw[-1] + ",", qw[-1] + ";", qw[-1] + ":")
    return any(lw[i : i + n - 1] == qw[:-1] and lw[i + n - 1] in endings for i in range(len(lw) - n + 1))


def split_front_matter(text: str) -> tuple[str, str]:
    if not text.startswith("---\n"):
        raise ValueError("a .md file must open with a `---` line")
    end = text.find("\n---\n", 3)
    if end < 0:
        raise ValueError("front matter is not closed by a `---` line")
    return text[4 : end + 1], text[end + 5 :]


def seconds(ts: str) -> int:
    total = 0
    for part in ts.split(":"):
        total = total * 60 + int(part)
    return total


def verify(root: Path) -> list[str]:
    problems: list[str] = []
    content = root / "content"
    models: dict[str, dict[str, object]] = {kind: {} for kind in FOLDERS.values()}
    stats: collections.Counter = collections.Counter()

    for folder, kind in FOLDERS.items():
        lowered: dict[str, Path] = {}
        for path in sorted((content / folder).iterdir()):
            rel = path.relative_to(root)
            allowed = (".yaml", ".md") if kind in ("source", "thesis") else (".yaml",)
            if path.suffix not in allowed:
                problems.append(f"{rel}: unexpected file type")
                continue
            stats[f"{kind} {path.suffix}"] += 1
            raw = path.read_bytes()
            text = raw.decode("utf-8")
            if not text.endswith("\n") or "\t" in text or "\r" in text:
                problems.append(f"{rel}: not LF-terminated plain text without tabs")
            stats["bytes"] += len(raw)
            stats["max file bytes"] = max(stats["max file bytes"], len(raw))
            try:
                yaml_text, body = split_front_matter(text) if path.suffix == ".md" else (text, None)
                for event in yaml.parse(yaml_text, Loader=_Base):
                    if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                        raise ValueError("YAML anchor or alias")
                parsed = []
                for loader in (Yaml11Loader, PlainLoader):
                    data = yaml.load(yaml_text, Loader=loader)
                    if not isinstance(data, dict):
                        raise ValueError("top level is not a mapping")
                    if body is not None:
                        data["body"] = body
                    parsed.append(CONTENT_MODELS[kind].model_validate(data))
            except Exception as exc:  # noqa: BLE001 - report and go on
                problems.append(f"{rel}: {type(exc).__name__}: {exc}"[:2000])
                continue
            model, plain_model = parsed
            if model != plain_model:
                problems.append(f"{rel}: YAML 1.1 and plain-scalar readings differ")
            if model.id != path.stem:
                problems.append(f"{rel}: id {model.id!r} is not the file stem")
            if model.id.lower() in lowered:
                problems.append(f"{rel}: id collides case-insensitively with {lowered[model.id.lower()]}")
            lowered[model.id.lower()] = rel
            models[kind][model.id] = model

    people, assets, sources = models["person"], models["asset"], models["source"]

    located: dict[str, dict[str, str]] = {}
    for sid, s in sources.items():
        stats[f"coverage {s.coverage}"] += 1
        parts: dict[str, str] = {"tldr": s.tldr}
        if s.bottom_line:
            parts["bottom-line"] = s.bottom_line
        if s.body:
            parts["body"] = s.body
        anchors = []
        for group in s.insights:
            anchors.append(group.id)
            stats["insight groups"] += 1
            for point in group.points:
                anchors.append(point.id)
                parts[f"insight/{point.id}"] = point.text
                stats["insight points"] += 1
        for table in s.tables:
            anchors.append(table.id)
            parts[f"table/{table.id}"] = " | ".join([table.title, *table.columns, *(c for row in table.rows for c in row)])
            stats["tables"] += 1
        if len(set(anchors)) != len(anchors):
            problems.append(f"source {sid}: anchor ids repeat")
        ats = [m.at for m in s.moments]
        if len(set(ats)) != len(ats):
            problems.append(f"source {sid}: moment times repeat")
        for m in s.moments:
            parts[f"moment/{m.at}"] = m.text
            stats["moments"] += 1
            if s.duration and seconds(m.at) >= seconds(s.duration):
                problems.append(f"source {sid}: moment {m.at} is past the duration {s.duration}")
        for p in s.speakers:
            if p not in people:
                problems.append(f"source {sid}: unknown speaker {p}")
        if s.metrics and s.metrics.as_of < s.published:
            problems.append(f"source {sid}: metrics.as_of before published")
        located[sid] = parts

    cited_assets = set()
    for tid, t in models["thesis"].items():
        for p in t.authors:
            if p not in people:
                problems.append(f"thesis {tid}: unknown author {p}")
        if t.review and t.review.by and t.review.by not in people:
            problems.append(f"thesis {tid}: unknown reviewer {t.review.by}")
        if t.review and t.review.on and t.review.on < t.opened:
            problems.append(f"thesis {tid}: reviewed before it was opened")
        claim_ids = [c.id for c in t.claims]
        if len(set(claim_ids)) != len(claim_ids):
            problems.append(f"thesis {tid}: claim ids repeat")
        stats["claims"] += len(claim_ids)
        for c in t.claims:
            if not c.evidence:
                problems.append(f"thesis {tid}#{c.id}: no evidence")
            for e in c.evidence:
                stats["evidence"] += 1
                stats[f"locator {e.at.split('/')[0]}"] += 1
                if e.source not in sources:
                    problems.append(f"thesis {tid}#{c.id}: unknown source {e.source}")
                    continue
                if sources[e.source].published > t.opened:
                    problems.append(f"thesis {tid}: opened before cited source {e.source} was published")
                text = located[e.source].get(e.at)
                if text is None:
                    problems.append(f"thesis {tid}#{c.id}: {e.source} has no {e.at}")
                elif e.paraphrase:
                    stats["paraphrases"] += 1
                elif not whole_words_in(e.quote, text):
                    problems.append(f"thesis {tid}#{c.id}: quote {e.quote!r} not in {e.source} {e.at}")
        positions = [p.asset for p in t.assets]
        if len(set(positions)) != len(positions):
            problems.append(f"thesis {tid}: an asset has two positions")
        for p in t.assets:
            stats[f"direction {p.direction}"] += 1
            cited_assets.add(p.asset)
            if p.asset not in assets:
                problems.append(f"thesis {tid}: unknown asset {p.asset}")
            for cid in p.because:
                if cid not in claim_ids:
                    problems.append(f"thesis {tid}: position {p.asset} rests on unknown claim {cid}")
    stats["assets with a position"] = len(cited_assets)
    stats["sources cited"] = len({e.source for t in models["thesis"].values() for c in t.claims for e in c.evidence})

    for key in sorted(stats):
        print(f"  {key:28} {stats[key]}")
    return problems


def main(argv: list[str]) -> int:
    if argv:
        problems = verify(Path(argv[0]))
    else:
        from make_corpus import make_corpus

        with tempfile.TemporaryDirectory() as tmp:
            a, b, c = Path(tmp, "a"), Path(tmp, "b"), Path(tmp, "c")
            counts = make_corpus(a, 200, seed=0)
            print(f"generated {counts}")
            problems = verify(a)
            make_corpus(b, 200, seed=0)
            make_corpus(c, 200, seed=1)
            files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
            files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
            if files_a != files_b or any((a / f).read_bytes() != (b / f).read_bytes() for f in files_a):
                problems.append("the same seed wrote different files")
            files_c = sorted(p.relative_to(c) for p in c.rglob("*") if p.is_file())
            if files_a == files_c:
                problems.append("seeds 0 and 1 wrote the same file names")
            if sum(1 for p in files_a if p.parts[1] in FOLDERS) != sum(counts.values()):
                problems.append("returned counts do not match the files written")
    for problem in problems[:50]:
        print(problem)
    if len(problems) > 50:
        print(f"... and {len(problems) - 50} more")
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
