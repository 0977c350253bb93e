"""Where the configs are, and which a group offers: light enough for ``python -m sim --help``."""

from __future__ import annotations

from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs"


def options(group: str) -> list[str]:
    """Names of the configs available in a config group (e.g. ``world``)."""
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))
