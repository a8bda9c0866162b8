"""mkdocs.yml's settings that the generator needs itself (`site_url`, the disclaimer), and the
check that `site_url` is set before anything goes public (`config.site-url`).

Every absolute link (canonical links, sitemap, feeds, JSON-LD) starts at `site_url`; the
shipped mkdocs.yml reads it from the environment (`SITE_URL`) and falls back to a placeholder
domain, which must never reach a published edition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlsplit

from .diagnostics import Diagnostic
from .freshness import DEFAULT_STALE_AFTER_DAYS, stale_after_days
from .settings import ProjectPaths

DEFAULT_SITE_URL = "https://thesis-site.example.org/"
"""The shipped placeholder: links need some absolute base even before site_url is set."""

PLACEHOLDER_HOST = urlsplit(DEFAULT_SITE_URL).hostname

_UNSAFE = re.compile(r'[\s"<>\\^`{|}\x00-\x1f\x7f]')
"""Characters a URL cannot hold unescaped: links are made by appending to site_url as it is written."""


@dataclass(frozen=True)
class SiteSettings:
    site_url: str  # as mkdocs.yml resolves it ('' when unset)
    disclaimer: str
    directory_urls: bool = True
    """Whether pages are served at directory URLs (`theses/x/`): not when mkdocs.yml says
    `use_directory_urls: false` or lists material's offline plugin, nor for `build --offline`."""
    stale_after_days: int = DEFAULT_STALE_AFTER_DAYS
    """`extra.thesis_site.stale_after_days`: when an active or monitoring thesis goes stale (`freshness`)."""


DEFAULT_DISCLAIMER = "The reports on this site are research, not investment advice."
"""The footer disclaimer when mkdocs.yml's `extra.disclaimer` is unset."""


def site_disclaimer(config: Mapping[str, Any]) -> str:
    extra = config.get("extra") or {}
    text = extra.get("disclaimer") if isinstance(extra, Mapping) else None
    return str(text).strip() if text else DEFAULT_DISCLAIMER


def read_site_settings(paths: ProjectPaths, offline: bool = False) -> SiteSettings:
    """site_url, the disclaimer and the URL style (`offline`: a site for `file://`), read with mkdocs' own YAML loader (`!ENV`, `INHERIT`).

    Not mkdocs' `load_config`: validating the whole configuration imports every plugin and
    Markdown extension, which the mkdocs stage does anyway. A configuration mkdocs rejects is
    reported by the mkdocs stage; this raises on one it cannot read at all, and ValueError on a
    `stale_after_days` that is not a whole number of days (`check` reports it as
    `config.stale-after-days`)."""
    from mkdocs.utils.yaml import yaml_load

    with open(paths.mkdocs_config, "rb") as handle:
        config = yaml_load(handle)
    if not isinstance(config, Mapping):
        raise ValueError("mkdocs.yml is not a mapping")
    site_url = config.get("site_url")
    directory_urls = (not offline and config.get("use_directory_urls", True) is not False
                      and not _offline_plugin_enabled(config.get("plugins") or []))
    return SiteSettings(str(site_url).strip() if site_url else "", site_disclaimer(config), directory_urls,
                        stale_after_days(config))


def _offline_plugin_enabled(plugins: object) -> bool:
    """Whether mkdocs.yml, as raw YAML (a list of names or one-key mappings, or a mapping),
    lists an enabled offline plugin."""
    entries = plugins.items() if isinstance(plugins, Mapping) else (
        (next(iter(item.items())) if isinstance(item, Mapping) and len(item) == 1 else (item, None))
        for item in (plugins if isinstance(plugins, list) else []))
    for name, options in entries:
        if name in ("offline", "material/offline"):
            return not (isinstance(options, Mapping) and options.get("enabled") is False)
    return False


def site_url_problem(site_url: str) -> str | None:
    """What keeps `site_url` from being where a published site answers (as in "site_url <reason>"), or None."""
    if not site_url:
        return "is not set"
    try:
        parts = urlsplit(site_url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme not in ("http", "https") or not host or _UNSAFE.search(site_url):
        return f"{site_url!r} is not an absolute http(s) URL"
    if parts.query or parts.fragment or parts.username or parts.password:
        return f"{site_url!r} has a query, fragment or user name; links are made by appending paths to it"
    if host.rstrip(".").lower() == PLACEHOLDER_HOST:
        return f"is the shipped placeholder {DEFAULT_SITE_URL}"
    return None


def project_settings(paths: ProjectPaths) -> tuple[SiteSettings | None, list[Diagnostic]]:
    """The project's settings as `check` sees them, and `config.stale-after-days` when that setting
    is wrong (the rest of the settings then as if it were unset); None when there is no mkdocs.yml
    or mkdocs could not read it (the build reports that)."""
    if not paths.mkdocs_config.is_file():
        return None, []
    try:
        return read_site_settings(paths), []
    except ValueError as error:
        from mkdocs.utils.yaml import yaml_load

        try:
            with open(paths.mkdocs_config, "rb") as handle:
                config = dict(yaml_load(handle))
        except (Exception, SystemExit):  # noqa: BLE001 - unreadable after all: the build reports mkdocs.yml itself
            return None, []
        extra = dict(config.get("extra") or {})
        extra["thesis_site"] = {k: v for k, v in dict(extra.get("thesis_site") or {}).items() if k != "stale_after_days"}
        line, column = _setting_key(paths, ("extra", "thesis_site", "stale_after_days"))
        problem = Diagnostic(paths.relative(paths.mkdocs_config), line, column, "config.stale-after-days",
                             "extra.thesis_site.stale_after_days", str(error), "e.g. stale_after_days: 180")
        site_url = config.get("site_url")
        return SiteSettings(str(site_url).strip() if site_url else "", site_disclaimer({**config, "extra": extra})), [problem]
    except (Exception, SystemExit):  # noqa: BLE001 - mkdocs raises ConfigurationError (a SystemExit) on bad YAML
        return None, []


def site_url_diagnostics(paths: ProjectPaths, settings: SiteSettings | None = None) -> list[Diagnostic]:
    """`config.site-url` at the line of `site_url` in mkdocs.yml (line 1 when the key is absent);
    nothing when there is no mkdocs.yml or mkdocs could not read it (the build reports that)."""
    if settings is None:
        settings = project_settings(paths)[0]
    if settings is None:
        return []
    problem = site_url_problem(settings.site_url)
    if problem is None:
        return []
    line, column, variables = _site_url_key(paths)
    where = f"{' or '.join(variables)} in the environment, or site_url in mkdocs.yml," if variables else "site_url in mkdocs.yml"
    hint = f"set {where} to the address the site is published at, e.g. https://<owner>.github.io/<repository>/"
    return [Diagnostic(paths.relative(paths.mkdocs_config), line, column, "config.site-url", "site_url",
                       f"{problem}; canonical links, the sitemap, feeds and JSON-LD start there", hint)]


def _setting_key(paths: ProjectPaths, keys: tuple[str, ...]) -> tuple[int, int]:
    """(line, column) of a nested key in mkdocs.yml, or of the deepest of its parents found (1, 1 when none)."""
    import yaml

    try:
        node = yaml.compose(paths.mkdocs_config.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return 1, 1
    where = (1, 1)
    for name in keys:
        if not isinstance(node, yaml.MappingNode):
            break
        found = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == name), None)
        if found is None:
            break
        where = (found[0].start_mark.line + 1, found[0].start_mark.column + 1)
        node = found[1]
    return where


def _site_url_key(paths: ProjectPaths) -> tuple[int, int, tuple[str, ...]]:
    """(line, column) of the `site_url` key in mkdocs.yml, and the environment variables its
    `!ENV` tag reads. Composed, not loaded: mkdocs' own tags need no constructor for this."""
    import yaml

    try:
        root = yaml.compose(paths.mkdocs_config.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return 1, 1, ()
    if not isinstance(root, yaml.MappingNode):
        return 1, 1, ()
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "site_url":
            variables: tuple[str, ...] = ()
            if value.tag == "!ENV":
                if isinstance(value, yaml.ScalarNode):
                    variables = (value.value,)
                elif isinstance(value, yaml.SequenceNode):
                    names = value.value[:-1] if len(value.value) > 1 else value.value
                    variables = tuple(n.value for n in names if isinstance(n, yaml.ScalarNode))
            return key.start_mark.line + 1, key.start_mark.column + 1, variables
    return 1, 1, ()
