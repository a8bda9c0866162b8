"""Generate a large, valid, deterministic content tree for benchmarking thesis-site.

    python bench/make_corpus.py OUT_DIR --sources N [--theses M] [--seed S]

writes OUT_DIR/content/{sources,theses,assets,people}/... in the format of SPEC.md §1–§2:
every file validates against `generator.models`, every reference resolves (speakers,
authors, reviewers, cited sources, locators, assets, `because` claim ids) and every
non-paraphrase quote is a run of whole words of the text its locator points at.

The same arguments give byte-identical files: all randomness comes from `random.Random`
instances seeded from `seed` (one per section, so people and assets do not depend on N).

The YAML is what a contributor would write by hand, not a canonical dump: block mappings,
flow lists for tags and table rows, folded (`>-`) paragraphs now and then, plain scalars that
wrap over several lines, and double quotes wherever a plain scalar could be misread by
a YAML 1.1 or 1.2 resolver (timestamps, numeric-looking tickers, cells, handles,
`ON`/`NO`/`Y`). No anchors or aliases are ever written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
import time
import unicodedata
from pathlib import Path

import yaml

try:  # libyaml's emitter: same output, several times faster
    _BaseDumper = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseDumper = yaml.SafeDumper

KINDS = ("source", "thesis", "asset", "person")
FOLDERS = {"source": "sources", "thesis": "theses", "asset": "assets", "person": "people"}
DEFAULT_PEOPLE = 300
DEFAULT_ASSETS = 200

# --------------------------------------------------------------------------- YAML output


class Quoted(str):
    """A string written in double quotes (timestamps, numeric-looking ids and cells)."""


class Folded(str):
    """A paragraph written as a folded block scalar (`>-`)."""


class Flow(list):
    """A list written in flow style: `[a, b, c]`."""


class _Dumper(_BaseDumper):
    def ignore_aliases(self, data: object) -> bool:  # the project rejects YAML aliases
        return True


_Dumper.add_representer(
    Quoted, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", str(s), style='"')
)
_Dumper.add_representer(
    Folded, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", str(s), style=">")
)
_Dumper.add_representer(
    Flow, lambda d, s: d.represent_sequence("tag:yaml.org,2002:seq", s, flow_style=True)
)

# Plain scalars that some resolver (YAML 1.1 or 1.2) would not read back as text.
# Over-approximated: any single token that starts like a number (`6758`, `1E10`, `1:20:30`,
# `12.5`, `+4%`), a YAML bool or null word, and anything that opens like a date or a timestamp.
# Prose with spaces is never double-quoted, so no long quoted scalar is ever line-wrapped
# (PyYAML's and libyaml's emitters wrap those differently; everything else is byte-identical).
_RISKY_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", ""}
_RISKY_TOKEN = re.compile(r"^(?:[-+]?\.?[0-9]|[-+]?\.(?:inf|nan)$)\S*$", re.IGNORECASE)
_DATE_START = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")


def q(text: str) -> str:
    """Quote `text` when a plain scalar of it could be misread as a number, bool, null or time."""
    if text.lower() in _RISKY_WORDS or _RISKY_TOKEN.match(text) or _DATE_START.match(text):
        return Quoted(text)
    return text


def dump(data: dict) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=88
    )


# --------------------------------------------------------------------------- vocabulary

ADJECTIVES = (
    "leading-edge", "hyperscale", "sustained", "structural", "cyclical", "incremental", "marginal",
    "long-context", "agentic", "synthetic", "multimodal", "open-weight", "proprietary", "sovereign",
    "high-bandwidth", "low-latency", "liquid-cooled", "gigawatt-scale", "post-training", "frontier",
    "custom", "merchant", "vertical", "regulated", "secular", "near-term", "capital-intensive",
    "supply-constrained", "power-hungry", "memory-bound", "compute-bound", "tool-using", "domestic",
)
NOUNS = (
    "accelerator", "memory bandwidth", "HBM", "inference", "training run", "data center",
    "power budget", "GPU", "wafer", "foundry", "yield", "advanced packaging", "CoWoS",
    "interconnect", "optical transceiver", "capex", "hyperscaler", "gross margin", "pricing",
    "demand", "supply", "token", "model", "context window", "latency", "throughput", "cluster",
    "rack", "cooling", "utilization", "backlog", "lead time", "process node", "lithography", "EUV",
    "substrate", "DRAM", "NAND", "networking", "switch", "Ethernet", "InfiniBand", "software stack",
    "compiler", "kernel", "KV cache", "scaling law", "dataset", "reinforcement learning", "agent",
    "workload", "enterprise adoption", "revenue", "earnings", "guidance", "valuation", "cash flow",
    "buyback", "export control", "tariff", "energy", "grid", "nuclear", "turbine", "copper",
    "fiber", "instruction data", "fine-tuning", "distillation", "benchmark", "reasoning",
    "chip design", "ASIC", "TPU", "CPU", "storage", "transformer", "cost curve", "unit economics",
)
VERBS = (
    "drives", "constrains", "outpaces", "lowers", "raises", "depends on", "shifts toward",
    "compresses", "expands", "accelerates", "limits", "underpins", "benefits from", "competes with",
    "replaces", "absorbs", "pulls forward", "delays", "reprices", "concentrates", "fragments",
)
TAILS = (
    "through 2026", "over the next cycle", "at the margin", "in the second half",
    "for most workloads", "within 18 months", "according to the speaker", "for the first time",
    "across every major cloud", "faster than consensus expects", "despite higher {noun}",
    "as {noun} {verb} {noun}", "while {noun} stays flat", "by {pct}", "to roughly {money}",
    "by about {mult}", "at {gw} of new capacity", "before {noun} catches up",
    "unless {noun} improves", "even as {adj} {noun} matures", "— a {adj} shift",
    "→ more {noun} demand",
)
OPENERS = (
    "", "", "", "", "In short, ", "Notably, ", "By contrast, ", "Over time, ", "For now, ",
    "The speaker argues that ", "The data suggest that ", "Management said ", "Crucially, ",
)
NUMBER_TOKENS = ("{pct}", "{money}", "{mult}", "{gw}")

TOPICS = (
    "Post-Training", "Mixture of Experts", "Inference Economics", "The Memory Wall",
    "Scaling Laws", "AI Factories", "Power and Cooling", "Advanced Packaging", "Custom Silicon",
    "Agentic Workloads", "Long Context", "Data Curation", "Reinforcement Learning",
    "Optical Interconnects", "The Capex Cycle", "Sovereign AI", "Edge Inference",
    "Open-Weight Models", "Tokenomics", "Chiplets", "Export Controls", "Grid Constraints",
    "HBM Supply", "Evaluation", "Synthetic Data", "Distillation", "Compute Efficiency",
    "Networking at Scale", "Storage for AI", "Small Language Models",
)
PUBLISHERS = (
    "Stanford Online", "MIT OpenCourseWare", "Berkeley EECS", "CMU Database Group", "Latent Space",
    "Acquired", "Dwarkesh Podcast", "Invest Like the Best", "BG2 Pod", "No Priors",
    "Hot Chips", "OCP Global Summit", "SemiAnalysis", "The Information", "Bloomberg Technology",
    "CNBC", "Stratechery", "a16z", "Sequoia Capital", "Y Combinator", "arXiv", "SEC EDGAR",
    "Company Investor Relations", "Goldman Sachs Communacopia", "Morgan Stanley TMT Conference",
    "Asianometry", "Lex Fridman Podcast", "TWIML AI", "Gradient Dissent", "Epoch AI",
)
SERIES = (
    "Stanford CS336 Language Modeling from Scratch", "Stanford CS25: Transformers United",
    "MIT 6.5940 TinyML and Efficient Deep Learning", "Berkeley CS294 LLM Agents",
    "Hot Chips 2025", "Quarterly Earnings Calls", "Deep Dives", "The Compute Series",
    "Stanford EE380 Computer Systems Colloquium", "Semiconductor Fundamentals",
)
RECORDED_KINDS = ("lecture", "seminar", "podcast", "video", "transcript")
WRITTEN_KINDS = ("article", "paper", "filing")
KIND_WEIGHTS = {
    "lecture": 22, "seminar": 12, "podcast": 22, "video": 15, "transcript": 12,
    "article": 8, "paper": 6, "filing": 3,
}
COVERAGE_WEIGHTS = {"summary": 45, "transcript": 25, "fragments": 20, "title-only": 10}
TAGS = (
    "ai-infrastructure", "memory", "hbm", "semiconductors", "foundry", "advanced-packaging",
    "networking", "optics", "power", "cooling", "data-centers", "hyperscalers", "capex",
    "inference", "training", "post-training", "agents", "open-weight", "llm", "scaling-laws",
    "export-controls", "china", "taiwan", "japan", "korea", "europe", "software", "cloud",
    "edge-ai", "robotics", "autonomy", "energy", "nuclear", "grid", "copper", "utilities",
    "earnings", "valuation", "margins", "supply-chain", "lithography", "euv", "custom-silicon",
    "asics", "gpus", "cpus", "storage", "dram", "nand", "2026-outlook", "q3-2025", "2nm",
)
MENTION_CATEGORIES = (
    "Company", "Model", "Software & Apps", "Hardware", "Research Lab", "Dataset", "Person",
    "Standard", "Government Agency", "Fund",
)
MENTION_NAMES = (
    "GPT-4o", "Llama 3.1", "Claude", "Gemini", "DeepSeek-V3", "Qwen2.5", "Mistral Large", "FLAN",
    "Alpaca", "vLLM", "PyTorch", "JAX", "Triton", "CUDA", "ROCm", "Kubernetes", "Ray",
    "H100", "B200", "GB200 NVL72", "MI300X", "TPU v5p", "Trainium2", "Gaudi 3", "Grace",
    "CoWoS-L", "HBM3E", "UALink", "Ultra Ethernet", "NVLink", "OpenAI", "Anthropic",
    "Google DeepMind", "Meta AI", "xAI", "Microsoft", "Amazon", "TSMC", "Samsung", "SK hynix",
    "Micron", "ASML", "Broadcom", "Marvell", "Arista", "Vertiv", "Constellation Energy",
    "BIS", "MLPerf", "Common Crawl", "The Pile", "Chatbot Arena", "SWE-bench", "ImageNet",
)
FIRST_NAMES = (
    "Ada", "Alan", "Amara", "Ana", "Andrej", "Ben", "Bo", "Carla", "Chen", "Chris", "Dana",
    "Daniel", "Dario", "David", "Elena", "Emil", "Eva", "Fatima", "Felix", "Grace", "Hana",
    "Hiro", "Ilya", "Ines", "Jae", "James", "Jana", "Jensen", "Jonas", "José", "Julia", "Kai",
    "Kenji", "Lars", "Lea", "Li", "Lisa", "Łukasz", "Maya", "Mei", "Mira", "Noam", "Nora",
    "Omar", "Oren", "Percy", "Priya", "Rafael", "Ravi", "Renée", "Rohan", "Sara", "Sofía",
    "Sven", "Tatsu", "Tom", "Wei", "Yann", "Yuki", "Zoë",
)
LAST_NAMES = (
    "Abbott", "Álvarez", "Bach", "Brandt", "Chen", "Costa", "Dubois", "Eriksen", "Fischer",
    "García", "Gupta", "Haas", "Hashimoto", "Ivanova", "Jensen", "Kang", "Kim", "Kowalski",
    "Liang", "Lindqvist", "Martín", "Mehta", "Müller", "Nakamura", "Nguyen", "Novak", "Okafor",
    "Olsen", "Park", "Patel", "Pereira", "Quinn", "Rossi", "Sato", "Schmidt", "Shah", "Silva",
    "Singh", "Sørensen", "Tanaka", "Varga", "Wang", "Weber", "Wójcik", "Xu", "Yamamoto",
    "Zhang", "Zhou", "O'Neill", "van der Berg",
)
AFFILIATIONS = (
    "Stanford University", "MIT", "UC Berkeley", "Carnegie Mellon University", "Google DeepMind",
    "OpenAI", "Anthropic", "Meta", "Microsoft Research", "NVIDIA", "AMD", "TSMC", "SemiAnalysis",
    "Epoch AI", "Sequoia Capital", "a16z", "Goldman Sachs", "Morgan Stanley", "Bernstein",
    "independent", "ETH Zürich", "University of Tokyo", "KAIST", "Tsinghua University",
)
ROLES = (
    "Professor", "Associate Professor", "PhD student", "Research Scientist", "Chief Scientist",
    "CEO", "CFO", "CTO", "VP of Engineering", "Analyst", "Senior Analyst", "Portfolio Manager",
    "Partner", "Host", "Editor", "Principal Engineer", "Founder",
)
SECTORS = (
    "Semiconductors", "Semiconductor Equipment", "Memory", "Networking", "Cloud Computing",
    "Software", "Data Center REITs", "Utilities", "Electrical Equipment", "Industrials",
    "Materials", "Energy", "Internet", "Hardware", "AI Labs",
)
NAME_PARTS_A = (
    "Veri", "Nova", "Quanta", "Helio", "Arc", "Lumen", "Strata", "Cobalt", "Axon", "Vector",
    "Tera", "Photon", "Silico", "Neuro", "Fusion", "Orbit", "Crystal", "Summit", "Atlas", "Zenith",
)
NAME_PARTS_B = (
    "dian", "logic", "core", "tronics", "wave", "scale", "link", "forge", "grid", "systems",
    "micro", "power", "fab", "sense", "stack", "compute", "optics", "works", "labs", "dyne",
)
NAME_SUFFIXES = ("Inc.", "Corp.", "Holdings", "N.V.", "plc", "Co., Ltd.", "AG", "S.A.", "Group", "Ltd.")
EXCHANGES = {
    "": ("NASDAQ", "NYSE"), ".T": ("TSE",), ".HK": ("HKEX",), ".KS": ("KRX",),
    ".AS": ("Euronext Amsterdam",), ".DE": ("XETRA",), ".L": ("LSE",), ".TW": ("TWSE",),
}
# Real-world tickers a plain YAML scalar would misread; kept to exercise the loader.
HAZARD_TICKERS = ("ON", "NO", "Y", "OFF", "6758.T", "0700.HK", "005930.KS", "2330.TW", "8035", "1E10")
COMMODITIES = ("XAU", "XAG", "HG", "CL", "NG", "UX", "LI-CARB")
PRIVATE_NAMES = (
    "GROQ", "CEREBRAS", "SAMBANOVA", "ANTHROPIC", "OPENAI", "XAI", "MISTRAL", "TENSTORRENT",
    "ETCHED", "LIGHTMATTER", "AYAR-LABS", "CELESTIAL-AI", "CRUSOE", "LAMBDA", "COREWEAVE-PRE",
    "D-MATRIX", "RIVOS", "SIFIVE", "SCALE-AI", "DATABRICKS",
)


# --------------------------------------------------------------------------- prose


class Prose:
    """Sentences and titles built from the word lists, driven by one `random.Random`."""

    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def _fill(self, template: str, money: bool = True) -> str:
        r = self.r
        out = template
        while "{" in out:
            out = out.replace("{noun}", r.choice(NOUNS), 1)
            out = out.replace("{verb}", r.choice(VERBS), 1)
            out = out.replace("{adj}", r.choice(ADJECTIVES), 1)
            out = out.replace("{pct}", f"{r.randint(3, 95)}%", 1)
            out = out.replace(
                "{money}",
                f"${r.randint(1, 250)}.{r.randint(0, 9)}B" if money else f"{r.randint(1, 250)} billion dollars",
                1,
            )
            out = out.replace("{mult}", f"{r.randint(2, 12)}x", 1)
            out = out.replace("{gw}", f"{r.randint(1, 30)} GW", 1)
        return out

    def noun_phrase(self) -> str:
        r = self.r
        if r.random() < 0.5:
            return f"{r.choice(ADJECTIVES)} {r.choice(NOUNS)}"
        return r.choice(NOUNS)

    def clause(self, money: bool = True) -> str:
        r = self.r
        parts = [self.noun_phrase(), r.choice(VERBS), self.noun_phrase()]
        if r.random() < 0.7:
            parts.append(self._fill(r.choice(TAILS), money))
        if r.random() < 0.25:  # "HBM, at 40%, outpaces supply"
            parts[0] += f", at {self._fill(r.choice(NUMBER_TOKENS), money)},"
        return " ".join(parts)

    def sentence(self, money: bool = True) -> str:
        r = self.r
        text = self.clause(money)
        if r.random() < 0.3:
            text += f", and {self.clause(money)}"
        opener = r.choice(OPENERS)
        text = opener + text
        text = text[0].upper() + text[1:]
        return text + "."

    def paragraph(self, low: int, high: int, money: bool = True) -> str:
        return " ".join(self.sentence(money) for _ in range(self.r.randint(low, high)))

    def title_phrase(self, low: int = 2, high: int = 5) -> str:
        r = self.r
        words = [r.choice(ADJECTIVES)] if r.random() < 0.5 else []
        words += r.choice(NOUNS).split()
        while len(words) < r.randint(low, high):
            words += r.choice(NOUNS).split()
        return " ".join(w if any(c.isupper() for c in w) else w.capitalize() for w in words)

    def statement(self) -> str:
        """A thesis title or claim: one assertion, no final period."""
        text = self.clause()
        return text[0].upper() + text[1:]


def slugify(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[:limit].rstrip("-")
    return slug or "x"


def unique(base: str, taken: set[str], limit: int = 80) -> str:
    """`base`, or `base-2`, `base-3`…, not yet in `taken` (compared case-insensitively)."""
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[: limit - len(suffix)].rstrip("-") + suffix
    taken.add(candidate.lower())
    return candidate


def weighted(r: random.Random, weights: dict[str, int]) -> str:
    return r.choices(list(weights), weights=list(weights.values()))[0]


def timestamp(seconds: int, hours_form: bool) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if hours_form else f"{m:02d}:{s:02d}"


def words_run(r: random.Random, text: str, low: int = 4, high: int = 14) -> str:
    """A run of whole words of `text`, verbatim (the text is single-spaced)."""
    words = text.split()
    n = min(len(words), r.randint(low, high))
    start = r.randint(0, len(words) - n)
    run = " ".join(words[start : start + n])
    if n > 1 and run[-1] in ",;:":
        run = run[:-1]
    return run


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")


def front_matter(data: dict, body: str) -> str:
    return f"---\n{dump(data)}---\n\n{body}"


# --------------------------------------------------------------------------- people and assets


def make_people(r: random.Random, count: int) -> list[dict]:
    taken: set[str] = set()
    people = []
    for _ in range(count):
        first, last = r.choice(FIRST_NAMES), r.choice(LAST_NAMES)
        name = f"{first} {last}"
        if r.random() < 0.1:
            name = f"{first} {r.choice('ABCDEFGHJKLMNPRSTW')}. {last}"
        pid = unique(slugify(name), taken)
        person: dict = {"id": q(pid), "name": name}
        if r.random() < 0.8:
            person["affiliation"] = r.choice(AFFILIATIONS)
        if r.random() < 0.7:
            person["role"] = r.choice(ROLES)
        if r.random() < 0.6:
            links = [f"https://example.org/people/{pid}"]
            if r.random() < 0.4:
                links.append(f"https://scholar.example.com/citations?user={pid.replace('-', '')}")
            person["links"] = links
        if r.random() < 0.4:
            handle = slugify(first)[:1] + slugify(last).replace("-", "")
            if r.random() < 0.3:
                handle += str(r.randint(1, 99))
            person["handle"] = q(handle)
        people.append(person)
    return people


def make_assets(r: random.Random, count: int) -> list[dict]:
    prose = Prose(r)
    taken: set[str] = set()
    ids: list[tuple[str, str]] = []  # (ticker, kind)
    for t in HAZARD_TICKERS:
        ids.append((unique(t, taken, 15), "equity"))
    for t in COMMODITIES[: max(0, count // 40)]:
        ids.append((unique(t, taken, 15), "commodity"))
    for t in PRIVATE_NAMES[: max(0, count // 10)]:
        ids.append((unique(t, taken, 15), "private"))
    for t in ("SPX", "NDX", "SOX")[: max(0, count // 60)]:
        ids.append((unique(t, taken, 15), "index"))
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    while len(ids) < count:
        kind = "etf" if r.random() < 0.08 else "equity"
        roll = r.random()
        if roll < 0.7:
            t = "".join(r.choice(letters) for _ in range(r.randint(2, 5)))
        elif roll < 0.8:
            t = "".join(r.choice(letters) for _ in range(r.randint(2, 4))) + r.choice((".A", ".B", "-A"))
        else:
            suffix = r.choice([s for s in EXCHANGES if s])
            t = (str(r.randint(1000, 9999)) if suffix in (".T", ".TW", ".HK") else
                 "".join(r.choice(letters) for _ in range(r.randint(2, 4)))) + suffix
        if t.lower() in taken:
            continue
        ids.append((unique(t, taken, 15), kind))
    ids = ids[:count]
    assets = []
    for ticker, kind in ids:
        name = r.choice(NAME_PARTS_A) + r.choice(NAME_PARTS_B)
        asset: dict = {"id": q(ticker)}
        if kind == "private":
            asset["name"] = ticker.replace("-", " ").title()
        elif kind == "commodity":
            asset["name"] = f"{name} {r.choice(('Futures', 'Spot', 'Front Month'))}"
        elif kind == "index":
            asset["name"] = f"{name} {r.choice(('Composite', 'Index', '100'))}"
        elif kind == "etf":
            asset["name"] = f"{name} {r.choice(('AI', 'Semiconductor', 'Infrastructure'))} ETF"
        else:
            asset["name"] = f"{name} {r.choice(NAME_SUFFIXES)}"
        asset["kind"] = kind
        if kind in ("equity", "etf"):
            suffix = next((s for s in EXCHANGES if s and ticker.endswith(s)), "")
            asset["exchange"] = r.choice(EXCHANGES[suffix])
        asset["sector"] = r.choice(SECTORS)
        asset["description"] = prose.paragraph(1, 2)
        assets.append(asset)
    return assets


# --------------------------------------------------------------------------- sources


def _date(r: random.Random, start: dt.date, span_days: int) -> dt.date:
    return start + dt.timedelta(days=r.randint(0, span_days))


def make_source(
    r: random.Random, prose: Prose, taken: set[str], people: list[str]
) -> tuple[str, str, str, dict[str, str], dt.date]:
    """One source: id, file name, file text, its quotable parts {locator: text}, date."""
    kind = weighted(r, KIND_WEIGHTS)
    recorded = kind in RECORDED_KINDS
    publisher = r.choice(PUBLISHERS)
    topic = r.choice(TOPICS)
    roll = r.random()
    if kind == "lecture":
        title = f"Lecture {r.randint(1, 20)}: {topic}"
    elif kind == "podcast":
        title = f"Episode {r.randint(1, 400)} — {topic} with {r.choice(FIRST_NAMES)} {r.choice(LAST_NAMES)}"
    elif kind == "filing":
        title = f"{r.choice(NAME_PARTS_A)}{r.choice(NAME_PARTS_B)} Form 10-{r.choice('KQ')} FY{r.randint(2019, 2025)}"
    elif kind == "transcript":
        title = f"{r.choice(NAME_PARTS_A)}{r.choice(NAME_PARTS_B)} Q{r.randint(1, 4)} {r.randint(2019, 2025)} Earnings Call"
    elif roll < 0.5:
        title = f"{topic}: {prose.title_phrase()}"
    else:
        title = prose.title_phrase(3, 7)
    sid = unique(slugify(title, 60), taken)
    published = _date(r, dt.date(2019, 1, 1), 2400)
    coverage = weighted(r, COVERAGE_WEIGHTS)

    data: dict = {"id": q(sid), "title": q(title), "kind": kind, "publisher": publisher}
    if r.random() < 0.35:
        data["series"] = r.choice(SERIES)
    data["published"] = published
    if r.random() < 0.85:
        if kind in ("video", "lecture", "seminar"):
            vid = "".join(r.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789_-") for _ in range(11))
            data["url"] = f"https://www.youtube.com/watch?v={vid}"
        else:
            data["url"] = f"https://{slugify(publisher, 30)}.example.com/{published.year}/{sid}"
    duration = 0
    hours_form = True
    if recorded:
        duration = r.randint(15 * 60, 3 * 3600)
        hours_form = duration >= 3600 or r.random() < 0.7
        data["duration"] = Quoted(timestamp(duration, hours_form))
        if r.random() < 0.5:
            metrics: dict = {}
            if r.random() < 0.95:
                metrics["views"] = r.randint(0, 2_000_000)
            if r.random() < 0.7:
                metrics["likes"] = r.randint(0, 50_000)
            metrics["as_of"] = published + dt.timedelta(days=r.randint(1, 300))
            data["metrics"] = metrics
    data["coverage"] = coverage
    data["speakers"] = Flow(q(p) for p in r.sample(people, r.randint(1, 3)))

    parts: dict[str, str] = {}
    tldr = prose.paragraph(2, 5)
    data["tldr"] = Folded(tldr) if r.random() < 0.3 else tldr
    parts["tldr"] = tldr

    anchors: set[str] = set()
    groups = []
    for _ in range(r.randint(2, 4)):
        gtitle = f"The {prose.title_phrase(2, 3)}"
        group: dict = {"id": q(unique(slugify(gtitle, 40), anchors)), "title": gtitle, "points": []}
        for _ in range(r.randint(2, 4)):
            ptitle = prose.title_phrase(2, 5)
            pid = unique(slugify(ptitle, 40), anchors)
            text = prose.paragraph(1, 3)
            group["points"].append({"id": q(pid), "title": ptitle, "text": text})
            parts[f"insight/{pid}"] = text
        groups.append(group)
    data["insights"] = groups

    if recorded:
        moments = []
        for seconds in sorted(r.sample(range(5, duration), r.randint(2, 6))):
            at = timestamp(seconds, hours_form)
            text = prose.paragraph(1, 2)
            moments.append({"at": Quoted(at), "text": text})
            parts[f"moment/{at}"] = text
        data["moments"] = moments

    if r.random() < 0.35:
        years = sorted(r.sample(range(2019, 2027), r.randint(2, 4)))
        columns = ["Metric"] + [str(y) for y in years]
        if r.random() < 0.5:
            columns.append("Change")
        rows = []
        for _ in range(r.randint(2, 6)):
            label = prose.title_phrase(2, 4)
            row = [label]
            for _ in years:
                row.append(r.choice((f"{r.randint(1, 999)}.{r.randint(0, 9)}", f"${r.randint(1, 200)}B",
                                     f"{r.randint(1, 99)}%", str(r.randint(10, 99999)), "n/a")))
            if len(columns) > len(row):
                row.append(f"{r.choice('+-')}{r.randint(1, 300)}%")
            rows.append(Flow(q(c) for c in row))
        tid = unique(slugify(prose.title_phrase(2, 3), 40), anchors)
        data["tables"] = [{"id": q(tid), "title": prose.title_phrase(3, 6),
                           "columns": Flow(q(c) for c in columns), "rows": rows}]
        label_row = r.choice(rows)
        parts[f"table/{tid}"] = str(label_row[0])

    mentions = []
    for name in r.sample(MENTION_NAMES, r.randint(2, 6)):
        mentions.append({"name": q(name), "category": r.choice(MENTION_CATEGORIES), "note": prose.sentence()})
    data["mentions"] = mentions
    if r.random() < 0.85:
        bottom = prose.paragraph(1, 2)
        data["bottom_line"] = bottom
        parts["bottom-line"] = bottom
    data["tags"] = Flow(r.sample(TAGS, r.randint(1, 4)))

    if r.random() < 0.3:
        notes = [prose.paragraph(2, 4, money=False) for _ in range(r.randint(1, 3))]
        body = "## Notes\n\n" + "\n\n".join(notes) + "\n"
        if recorded and r.random() < 0.5:
            at = timestamp(r.randint(0, duration), hours_form)
            body += f"\n## Transcript excerpt\n\n> [{at}] {prose.paragraph(1, 3, money=False)}\n"
        if r.random() < 0.4:
            body += "\n## Follow-ups\n\n" + "".join(f"- {prose.sentence(money=False)}\n" for _ in range(r.randint(2, 4)))
        parts["body"] = r.choice(notes)
        return sid, sid + ".md", front_matter(data, body), parts, published
    return sid, sid + ".yaml", dump(data), parts, published


# --------------------------------------------------------------------------- theses

LOCATOR_WEIGHTS = {"insight": 45, "moment": 20, "tldr": 10, "bottom-line": 10, "table": 8, "body": 7}


def make_thesis(
    r: random.Random,
    prose: Prose,
    taken: set[str],
    people: list[str],
    assets: list[str],
    sources: list[tuple[str, dict, dt.date]],
) -> tuple[str, str]:
    title = prose.statement()
    tid = unique(slugify(title, 60), taken)
    cited = r.sample(sources, min(len(sources), r.randint(1, 4)))
    latest = max(s[2] for s in cited)
    opened = latest + dt.timedelta(days=r.randint(0, 120))

    claims = []
    claim_ids: set[str] = set()
    for _ in range(r.randint(2, 5)):
        text = prose.statement() + "."
        cid = unique(slugify(" ".join(text.split()[:5]), 50), claim_ids)
        evidence = []
        seen: set[tuple[str, str]] = set()
        for _ in range(r.randint(1, 3)):
            sid, parts, _published = r.choice(cited)
            family = weighted(r, LOCATOR_WEIGHTS)
            choices = [loc for loc in parts if loc.split("/")[0] == family] or [
                loc for loc in parts if loc.startswith("insight/")
            ]
            at = r.choice(choices)
            if (sid, at) in seen:
                continue
            seen.add((sid, at))
            item: dict = {"source": q(sid), "at": at}
            if r.random() < 0.06:
                item["quote"] = prose.sentence()
                item["paraphrase"] = True
            else:
                low = 1 if at.startswith("table/") else 4
                item["quote"] = q(words_run(r, parts[at], low, 14))
            evidence.append(item)
        claims.append({"id": q(cid), "text": text, "evidence": evidence,
                       "confidence": r.choice(("high", "high", "medium", "medium", "low"))})
    ordered_ids = [str(c["id"]) for c in claims]

    positions = []
    for asset in r.sample(assets, r.randint(1, 6)):
        direction = r.choices(("long", "short", "neutral", "watch"), weights=(45, 15, 15, 25))[0]
        need = r.randint(1, min(3, len(ordered_ids))) if direction in ("long", "short") else r.randint(0, 2)
        chosen = set(r.sample(ordered_ids, min(need, len(ordered_ids))))
        because = [i for i in ordered_ids if i in chosen]
        position: dict = {"asset": q(asset), "direction": direction,
                          "role": prose.title_phrase(2, 4).lower(), "rationale": prose.sentence()}
        if because or r.random() < 0.5:
            position["because"] = Flow(q(i) for i in because)
        positions.append(position)

    data: dict = {
        "id": q(tid),
        "title": title,
        "status": r.choices(("draft", "active", "monitoring", "closed"), weights=(10, 55, 25, 10))[0],
        "style": r.choice(("thematic", "thematic", "event-driven")),
        "horizon": r.choice(("short-term", "medium-term", "long-term")),
        "actionability": r.choice(("high", "moderate", "low")),
        "opened": opened,
        "authors": Flow(q(p) for p in r.sample(people, r.randint(1, 3))),
    }
    summary = prose.paragraph(2, 5)
    data["summary"] = Folded(summary) if r.random() < 0.4 else summary
    data["claims"] = claims
    data["assets"] = positions
    data["risks"] = [prose.sentence() for _ in range(r.randint(1, 4))]
    if r.random() < 0.6:
        data["guidance"] = prose.paragraph(1, 2)
    roll = r.random()
    if roll < 0.35:
        data["review"] = {"status": "reviewed", "by": q(r.choice(people)),
                          "on": opened + dt.timedelta(days=r.randint(0, 60))}
    elif roll < 0.45:
        data["review"] = {"status": "disputed", "by": q(r.choice(people))}
    elif roll < 0.6:
        data["review"] = {"status": "unreviewed"}
    data["tags"] = Flow(r.sample(TAGS, r.randint(1, 4)))

    if r.random() < 0.4:
        body = "## Narrative\n\n" + "\n\n".join(prose.paragraph(2, 5, money=False) for _ in range(r.randint(1, 4))) + "\n"
        if r.random() < 0.5:
            body += "\n## What would change our mind\n\n" + "".join(
                f"- {prose.sentence(money=False)}\n" for _ in range(r.randint(2, 4))
            )
        return tid + ".md", front_matter(data, body)
    return tid + ".yaml", dump(data)


# --------------------------------------------------------------------------- entry points


def make_corpus(
    out: Path,
    sources: int,
    theses: int | None = None,
    seed: int = 0,
    *,
    people: int = DEFAULT_PEOPLE,
    assets: int = DEFAULT_ASSETS,
) -> dict:
    """Write a valid corpus under `out/content/`; return the number of files written per kind.

    The keys are the content kinds of `generator.models.CONTENT_MODELS` ("source", "thesis",
    "asset", "person"). `theses` defaults to `sources // 2`. Refuses to write into a
    `content/` folder that already holds files, so a corpus is never mixed with another.
    """
    if sources < 0 or people < 1 or assets < 1:
        raise ValueError("sources must be >= 0, people and assets >= 1")
    if theses is None:
        theses = sources // 2
    if theses > 0 and sources == 0:
        raise ValueError("theses need at least one source to cite")
    out = Path(out)
    content = out / "content"
    if content.exists() and any(content.rglob("*.*")):
        raise FileExistsError(f"{content} already holds files; pick an empty OUT_DIR")
    dirs = {kind: content / folder for kind, folder in FOLDERS.items()}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)

    counts = dict.fromkeys(KINDS, 0)

    person_list = make_people(random.Random(f"{seed}:people"), people)
    for person in person_list:
        write(dirs["person"] / f"{person['id']}.yaml", dump(person))
        counts["person"] += 1
    person_ids = [str(p["id"]) for p in person_list]

    asset_list = make_assets(random.Random(f"{seed}:assets"), assets)
    for asset in asset_list:
        write(dirs["asset"] / f"{asset['id']}.yaml", dump(asset))
        counts["asset"] += 1
    asset_ids = [str(a["id"]) for a in asset_list]

    r = random.Random(f"{seed}:sources")
    prose = Prose(r)
    taken: set[str] = set()
    citable: list[tuple[str, dict, dt.date]] = []
    for _ in range(sources):
        sid, filename, text, parts, published = make_source(r, prose, taken, person_ids)
        write(dirs["source"] / filename, text)
        counts["source"] += 1
        citable.append((sid, parts, published))

    r = random.Random(f"{seed}:theses")
    prose = Prose(r)
    taken = set()
    for _ in range(theses):
        filename, text = make_thesis(r, prose, taken, person_ids, asset_ids, citable)
        write(dirs["thesis"] / filename, text)
        counts["thesis"] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, metavar="OUT_DIR", help="the corpus goes to OUT_DIR/content/")
    parser.add_argument("--sources", type=int, required=True, help="number of sources")
    parser.add_argument("--theses", type=int, default=None, help="number of theses (default: sources // 2)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE, help=f"default: {DEFAULT_PEOPLE}")
    parser.add_argument("--assets", type=int, default=DEFAULT_ASSETS, help=f"default: {DEFAULT_ASSETS}")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        counts = make_corpus(args.out, args.sources, args.theses, args.seed, people=args.people, assets=args.assets)
    except (ValueError, FileExistsError) as exc:
        print(f"make_corpus: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    summary = ", ".join(f"{n} {FOLDERS[k]}" for k, n in counts.items())
    print(f"wrote {summary} to {args.out / 'content'} in {elapsed:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
