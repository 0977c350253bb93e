"""Composing a run's config with Hydra and turning it into validated dataclasses."""

from __future__ import annotations

import re
from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config.schema import Config
from sim.config.validate import ConfigError, validate

CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs"

ConfigStore.instance().store(name="schema", node=Config)


def options(group: str) -> list[str]:
    """Names of the configs available in a config group (e.g. ``world``)."""
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


def compose_config(overrides: list[str]) -> DictConfig:
    """Compose configs/config.yaml with Hydra overrides; errors become ConfigError."""
    _check_groups(overrides)
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            return compose(config_name="config", overrides=list(overrides))
    except (HydraException, OmegaConfBaseException) as e:
        raise ConfigError(_one_line(e, overrides)) from None
    finally:
        GlobalHydra.instance().clear()


def to_config(cfg: DictConfig) -> Config:
    """DictConfig -> validated Config dataclasses (ranges run here, at the door)."""
    try:
        obj = OmegaConf.to_object(cfg)
    except OmegaConfBaseException as e:
        raise ConfigError(_one_line(e, [])) from None
    return validate(obj)


def load(overrides: list[str]) -> tuple[Config, DictConfig]:
    """Compose and validate; returns the dataclasses and the resolved DictConfig."""
    cfg = compose_config(overrides)
    return to_config(cfg), cfg


def _check_groups(overrides: list[str]) -> None:
    for o in overrides:
        m = re.fullmatch(r"(world|policy)=(.*)", o.strip())
        if m and m.group(2) not in options(m.group(1)):
            allowed = ", ".join(options(m.group(1)))
            raise ConfigError(f"{m.group(1)}={m.group(2)!r}: unknown {m.group(1)}; choose one of: {allowed}")


def _one_line(e: Exception, overrides: list[str]) -> str:
    """Reduce a Hydra/OmegaConf error to one line: key, value, what is allowed."""
    inner = e
    while inner.__cause__ is not None and isinstance(inner.__cause__, (HydraException, OmegaConfBaseException)):
        inner = inner.__cause__
    for err in (inner, e):
        key = getattr(err, "full_key", None)
        if key:
            value = getattr(err, "value", None)
            msg = str(getattr(err, "msg", "") or err).splitlines()[0]
            m = re.search(r"Value '(.*)' of type '(\w+)' could not be converted to (\w+)", msg)
            if m:
                return f"{key}={m.group(1)!r}: must be {_article(m.group(3))} ({m.group(2)} given)"
            if "not in struct" in msg or "Key '" in msg:
                return f"{key}: unknown key; check the spelling against `python -m sim --help`"
            return f"{key}={value!r}: {msg}"
    text = " ".join(str(e).split())
    m = re.search(r"Could not override '([^']+)'", text)
    if m:
        key = m.group(1)
        if "not in struct" in text:
            return f"{key}: unknown key; check the spelling against `python -m sim --help`"
        m2 = re.search(r"Value '(.*?)' of type '(\w+)' could not be converted to (\w+)", text)
        if m2:
            return f"{key}={m2.group(1)!r}: must be {_article(m2.group(3))} ({m2.group(2)} given)"
    m = re.search(r"Could not append to config\. An item is already at '([^']+)'", text)
    if m:
        return f"+{m.group(1)}: the key already exists; set it without '+'"
    m = re.search(r"Key '([^']+)' is not in struct", text)
    if m:
        return f"{m.group(1)}: unknown key; check the spelling against `python -m sim --help`"
    return text[:300]


def _article(typename: str) -> str:
    return {"Integer": "an integer", "Float": "a number", "Boolean": "true or false"}.get(typename, typename)
