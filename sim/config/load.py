"""Composing a run's config with Hydra and turning it into validated dataclasses.

Every override is read against the schema before Hydra sees it, so a bad one
fails with one line naming the key, the value and what is allowed.  Configs are
data: overrides cannot name code (``_target_``), read the environment
(``${oc.env:...}``), delete keys or add keys the schema does not know.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import functools
import re
import threading
import types
import typing

from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override, OverrideType
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config.paths import CONFIG_DIR, options  # noqa: F401  (options: part of this module's interface)
from sim.config.schema import Config
from sim.config.validate import ConfigError, validate

GROUPS = ("world", "policy")
# Keys that make Hydra's instantiation import and call code: never accepted from a user.
CODE_KEYS = ("_target_", "_args_", "_partial_", "_convert_", "_recursive_")
SPELLING = "check the spelling against `python -m sim --cfg`"

ConfigStore.instance().store(name="schema", node=Config)
# Hydra keeps the config search path in one global: two threads composing at once would see each
# other's state (the explorer computes runs in a background thread while a page composes).
_COMPOSING = threading.Lock()


def compose_config(overrides: list[str]) -> DictConfig:
    """Compose configs/config.yaml with Hydra overrides; errors become ConfigError."""
    check_overrides(overrides)
    with _COMPOSING:
        GlobalHydra.instance().clear()
        try:
            with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
                return compose(config_name="config", overrides=list(overrides))
        except (HydraException, OmegaConfBaseException) as e:
            raise ConfigError(_one_line(e, overrides)) from None
        except Exception as e:  # anything else Hydra raises on odd input: still one line, no traceback
            raise ConfigError(f"could not read the overrides {' '.join(map(str, overrides))}: "
                              f"{' '.join(str(e).split())[:200]}") from None
        finally:
            GlobalHydra.instance().clear()


def to_config(cfg: DictConfig) -> Config:
    """DictConfig -> validated Config dataclasses (ranges run here, at the door)."""
    try:
        obj = OmegaConf.to_object(cfg)
    except OmegaConfBaseException as e:
        raise ConfigError(_one_line(e, [])) from None
    return validate(obj)


def load(overrides: list[str], settings: dict | None = None) -> tuple[Config, DictConfig]:
    """Compose and validate; returns the dataclasses and the resolved DictConfig.

    The user's ``policy.*`` settings that the policy does not change itself are the user's world:
    they also go to ``baseline`` (:func:`baseline_overrides`), so they hold before the reform too.
    ``reform.*`` settings are changes the reform makes: they go to ``policy.*`` only.

    ``settings`` (key -> value) are set exactly as given after composition (:func:`apply_settings`):
    a design of many numbers without override text to parse; a ``policy.*`` key there is not copied
    to ``baseline``.  Both pass the same checks.
    """
    check_overrides(overrides)
    world, changes = [], []
    for text in overrides:
        (changes if text.startswith(REFORM) else world).append(text)
    changes = [POLICY + text[len(REFORM):] for text in changes]
    composed = [*world, *changes, *baseline_overrides(world)]
    if settings:  # a design: many samples share the composition of their arm and seed
        cfg = copy.deepcopy(_composed(tuple(composed)))
        apply_settings(cfg, settings)
    else:
        cfg = _compose_seeded(composed)
    return to_config(cfg), cfg


SEED = re.compile(r"seed=(0|[1-9][0-9]*)")


def _compose_seeded(overrides: list[str]) -> DictConfig:
    """``compose_config(overrides)``; the seeds of one arm share its composition: one plain ``seed=N`` is set
    on a copy of the composition of the other overrides (the same config as composing them all).  Any other
    override of ``seed`` (given twice, ``++seed=``) composes them all, so that the last one wins as in Hydra."""
    parser = OverridesParser.create()
    seeds = [i for i, o in enumerate(parser.parse_overrides(list(overrides))) if o.key_or_group == "seed"]
    if len(seeds) != 1 or not SEED.fullmatch(overrides[seeds[0]]):
        return compose_config(overrides)
    rest = tuple(overrides[:seeds[0]] + overrides[seeds[0] + 1:])
    cfg = copy.deepcopy(_composed(rest))
    OmegaConf.update(cfg, "seed", int(overrides[seeds[0]][len("seed="):]), merge=False)
    return cfg


@functools.lru_cache(maxsize=64)
def _composed(overrides: tuple[str, ...]) -> DictConfig:
    return compose_config(list(overrides))


def apply_settings(cfg: DictConfig, settings: dict) -> None:
    """Set leaf keys of the composed config to values: each key must be one of the schema and each value
    of its type (one line otherwise); ranges and rules across fields are checked with the rest by
    :func:`to_config`."""
    for key, value in settings.items():
        if not isinstance(key, str) or not key:
            raise ConfigError(f"settings: {key!r} is not a config key")
        if key in GROUPS or key.startswith(REFORM):
            raise ConfigError(f"settings: {key}: a world, a policy or a reform change is an override, "
                              "not a setting")
        found = _lookup(key)
        if found[0] != "field":
            raise ConfigError(f"settings: {key}: a setting is one value of the schema, not a group or an item")
        if _has_interpolation(value) or _has_code_key(value):
            raise ConfigError(f"settings: {key}={_show(value)}: interpolations and instantiation keys are not "
                              "allowed; a setting is a plain value")
        _check_type(key, _show(value), value, found)
        OmegaConf.update(cfg, key, value, merge=False)


# ``reform.X=v``: a change the reform makes, on its day, to the user's baseline (written to policy.X).
REFORM, POLICY = "reform.", "policy."


# Keys of a policy that belong to its timing, not to the settings of a lever.
TIMING = ("name", "reform_day", "start_day")


def baseline_overrides(overrides: list[str]) -> list[str]:
    """``baseline.X=v`` for every ``policy.X=v`` of a lever's setting.

    A policy is the set of changes it makes to the baseline (MODEL.md 4), and the baseline is the
    world as the user configured it, every override they give: a ``policy.X=v`` holds before the
    reform and after it, in every arm of a comparison alike (for the named policy too, whose own
    change of X it replaces).  A change of the reform is written ``reform.X=v``.
    """
    parser = OverridesParser.create()
    parsed = [(t, parser.parse_overrides([t])[0]) for t in overrides]
    given = {o.key_or_group for _, o in parsed if o.key_or_group.startswith("baseline.")}
    out = []
    for text, o in parsed:
        key = o.key_or_group
        if not key.startswith("policy."):
            continue
        for leaf, shown in _leaves(key[len("policy."):], o.value(), text.split("=", 1)[1]):
            parts = leaf.split(".")
            if parts[0] in TIMING or (len(parts) > 1 and parts[1] in TIMING):
                continue
            setting = ".".join(parts[:2])
            if f"baseline.{leaf}" in given or f"baseline.{setting}" in given:
                continue
            out.append(f"baseline.{leaf}={shown}")
    return out


def _leaves(key: str, value, shown: str):
    """(key, value text) of every leaf of an override; a dict value is split into its keys."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(f"{key}.{k}", v, _show(v) if not isinstance(v, dict) else "")
    else:
        yield key, shown


# --- reading overrides against the schema -------------------------------------------------------

def check_overrides(overrides: list[str]) -> None:
    """Reject, with one line, any override that is malformed or does not fit the schema."""
    parser = OverridesParser.create()
    for text in overrides:
        if not isinstance(text, str):
            raise ConfigError(f"override {text!r}: must be text of the form key=value, e.g. days=365")
        try:
            (o,) = parser.parse_overrides([text])
        except Exception:
            raise ConfigError(malformed(text)) from None
        _check_override(o, text)


def malformed(text: str) -> str:
    """One line for an override Hydra cannot parse: what is wrong with it and what to write."""
    if "=" not in text and not text.startswith("~"):
        why = "no '=' in it"
    elif text.startswith("="):
        why = "no key before '='"
    elif text.count("[") != text.count("]") or text.count("{") != text.count("}"):
        why = "unbalanced brackets"
    elif re.search(r"\s", text.split("=", 1)[0]):
        why = "spaces around '='"
    else:
        why = "it cannot be parsed"
    return (f"{text!r}: malformed override ({why}); write key=value, e.g. days=365 or "
            "params.needs.patience_days=[10,20,30,20,5]")


def _check_override(o: Override, text: str) -> None:
    key = o.key_or_group
    if not key:
        raise ConfigError(malformed(text))
    if key.startswith(REFORM):  # a reform change is checked as the policy setting it changes
        if key[len(REFORM):].split(".")[0] in TIMING:
            raise ConfigError(f"{key}: the reform's timing is policy.{key[len(REFORM):]}; reform.* sets a lever's "
                              "settings, e.g. reform.grid_management.enabled=true")
        parser = OverridesParser.create()
        (o,) = parser.parse_overrides([POLICY + text[len(REFORM):]])
        return _check_override(o, POLICY + text[len(REFORM):])
    shown = (text.split("=", 1)[1] if "=" in text else "") or "''"
    parts = re.split(r"[./]", key)
    if any(p in CODE_KEYS for p in parts) or _has_code_key(o.value() if not o.is_sweep_override() else None):
        raise ConfigError(f"{text}: '_target_' and other instantiation keys are not allowed; "
                          "a config is data and cannot name code to import or call")
    if parts[0] == "hydra":
        raise ConfigError(f"{key}: Hydra's own settings are not options of a run; "
                          "for the output folder use out=DIR")
    if o.package is not None:
        raise ConfigError(f"{key}@{o.package}: package overrides (@) are not supported; use key=value")
    if o.type == OverrideType.DEL:
        raise ConfigError(f"~{key}: removing a key is not supported; set it to a value instead")
    if o.is_sweep_override():
        raise ConfigError(f"{key}={shown}: several values given; a single run takes one value "
                          "(a sweep over values is a job for the sweep tool)")
    value = o.value()
    if _has_interpolation(value):
        raise ConfigError(f"{key}={shown}: ${{...}} interpolations are not allowed in overrides "
                          "(they could read the environment or the clock); write the value itself")
    if key in GROUPS:
        if o.type == OverrideType.ADD:
            raise ConfigError(f"+{key}: the key already exists; set it without '+', e.g. {key}=NAME")
        if not isinstance(value, str) or value not in options(key):
            allowed = ", ".join(options(key))
            close = difflib.get_close_matches(str(value), options(key), n=1)
            hint = f"did you mean {key}={close[0]}? " if close else ""
            raise ConfigError(f"{key}={shown}: unknown {key}; {hint}choose one of: {allowed}")
        return
    found = _lookup(key)
    if o.type == OverrideType.ADD:
        raise ConfigError(f"+{key}: the key already exists; set it without '+', e.g. {key}={shown or 'VALUE'}")
    _check_type(key, shown, value, found)


def _has_code_key(value) -> bool:
    if isinstance(value, dict):
        return any(k in CODE_KEYS or _has_code_key(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_code_key(v) for v in value)
    return False


def _has_interpolation(value) -> bool:
    if isinstance(value, str):
        return "${" in value
    if isinstance(value, dict):
        return any(_has_interpolation(k) or _has_interpolation(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_interpolation(v) for v in value)
    return False


@functools.cache
def _hints(cls: type) -> dict:
    return typing.get_type_hints(cls)


def check_key(key: str) -> None:
    """Raise ConfigError, in one line with the closest key, if ``key`` is not a key of the config."""
    _lookup(key)


def _lookup(key: str) -> tuple:
    """Find a dotted key in the schema: ("section", cls), ("field", type, field) or ("item", ...)."""
    cls: type = Config
    parts = key.split(".")
    for i, part in enumerate(parts):
        fields = {f.name: f for f in dataclasses.fields(cls)}
        prefix = ".".join(parts[:i])
        if part not in fields:
            raise ConfigError(_unknown(key, prefix, part, list(fields)))
        f, t = fields[part], _hints(cls)[part]
        rest = parts[i + 1:]
        if dataclasses.is_dataclass(t):
            if not rest:
                return ("section", t)
            cls = t
            continue
        if not rest:
            return ("field", t, f)
        if t is list and len(rest) == 1 and rest[0].isdigit():
            length = f.metadata.get("length")
            if length is not None and int(rest[0]) >= length:
                raise ConfigError(f"{key}: {'.'.join(parts[:i + 1])} has {length} items, numbered 0 to {length - 1}")
            return ("item", t, f)
        raise ConfigError(f"{key}: unknown key; {'.'.join(parts[:i + 1])} is a single value with no keys inside")
    raise ConfigError(f"{key}: unknown key; {SPELLING}")  # pragma: no cover - parts is never empty


def _unknown(key: str, prefix: str, part: str, names: list[str]) -> str:
    where = prefix + "." if prefix else ""
    close = difflib.get_close_matches(part, names, n=1)
    if close:
        return f"{key}: unknown key; did you mean {where}{close[0]}?"
    if len(names) <= 12:
        return f"{key}: unknown key; {prefix or 'the config'} has: {', '.join(names)}"
    return f"{key}: unknown key; {SPELLING}"


def _check_type(key: str, shown: str, value, found: tuple) -> None:
    if found[0] == "section":
        cls = found[1]
        if not isinstance(value, dict):
            first = dataclasses.fields(cls)[0].name
            raise ConfigError(f"{key}={shown}: {key} is a group of settings, not a value; "
                              f"set one of its keys, e.g. {key}.{first}=...")
        for k, v in value.items():
            sub = f"{key}.{k}"
            _check_type(sub, _show(v), v, _lookup(sub))
        return
    kind, t, f = found
    if kind == "item":
        if isinstance(value, (list, dict)):
            raise ConfigError(f"{key}={shown}: a list item must be a single value")
        return  # item types are checked with the whole list, after composition
    optional = isinstance(t, types.UnionType) or typing.get_origin(t) is typing.Union
    base = next((a for a in typing.get_args(t) if a is not type(None)), t) if optional else t
    if value is None:
        if optional:
            return
        raise ConfigError(f"{key}=null: a value is required{_example(f, base)}")
    if base is bool and not isinstance(value, bool):
        raise ConfigError(f"{key}={shown}: must be true or false")
    if base is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"{key}={shown}: must be a whole number{_example(f, base)}")
    if base is float and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise ConfigError(f"{key}={shown}: must be a number{_example(f, base)}")
    if base is str and isinstance(value, (list, dict)):
        raise ConfigError(f"{key}={shown}: must be a single text value{_example(f, base)}")
    if base is list and not isinstance(value, list):
        raise ConfigError(f"{key}={shown}: must be a list in brackets{_example(f, base)}")


def _example(f: dataclasses.Field, base: type) -> str:
    """', e.g. <default>' for a message, in override syntax."""
    meta = f.metadata
    if base is list:
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else []
        if not default and meta.get("choices"):
            default = list(meta["choices"][:2])
        if not default:
            return ""
        n = meta.get("length")
        return f" of {n} values" * bool(n) + f", e.g. [{','.join(map(_show, default))}]"
    if meta.get("choices"):
        return f"; choose one of: {', '.join(map(str, meta['choices']))}"
    if f.default is not dataclasses.MISSING and f.default is not None:
        return f", e.g. {_show(f.default)}"
    return ""


def _show(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, list):
        return "[" + ",".join(map(_show, v)) + "]"
    return str(v)


# --- Hydra / OmegaConf errors that still get through (e.g. from a config file) --------------------

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
                return f"{key}: unknown key; {SPELLING}"
            if "is not a valid bool" in msg:
                return f"{key}={value!r}: must be true or false"
            if "is not Optional" in msg:
                return f"{key}=null: a value is required"
            if "is not a ListConfig" in msg:
                return f"{key}={value!r}: must be a list in brackets, e.g. [a,b]"
            if "is not a subclass of" in msg:
                return f"{key}={value!r}: {key} is a group of settings, not a value"
            return f"{key}={value!r}: {msg}"
    text = " ".join(str(e).split())
    m = re.search(r"Could not override '([^']+)'", text)
    if m:
        key = m.group(1)
        if "not in struct" in text:
            return f"{key}: unknown key; {SPELLING}"
        m2 = re.search(r"Value '(.*?)' of type '(\w+)' could not be converted to (\w+)", text)
        if m2:
            return f"{key}={m2.group(1)!r}: must be {_article(m2.group(3))} ({m2.group(2)} given)"
    m = re.search(r"Could not append to config\. An item is already at '([^']+)'", text)
    if m:
        return f"+{m.group(1)}: the key already exists; set it without '+'"
    m = re.search(r"Key '([^']+)' is not in struct", text)
    if m:
        return f"{m.group(1)}: unknown key; {SPELLING}"
    return text[:300]


def _article(typename: str) -> str:
    return {"Integer": "an integer", "Float": "a number", "Boolean": "true or false"}.get(typename, typename)
