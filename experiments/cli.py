"""Shared command-line handling for ``python -m experiments.*``: ``key=value`` arguments.

Values are read as YAML (``policies=[a,b]``, ``seeds=20``); keys a tool does not know
are passed to the model as Hydra overrides (``days=120``, ``params.needs.rate_dispute=1``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import yaml

from sim.config.validate import ConfigError


def parse(argv: list[str], known: dict) -> tuple[dict, list[str]]:
    """Split arguments into the tool's options (defaults from ``known``) and model overrides."""
    opts, overrides = dict(known), []
    for a in argv:
        if "=" not in a or a.startswith("-"):
            raise ConfigError(f"{a}: expected key=value (see --help)")
        k, v = a.split("=", 1)
        if k in known:
            try:
                val = yaml.safe_load(v) if v != "" else None
            except yaml.YAMLError:
                raise ConfigError(f"{k}={v!r}: not a value (use e.g. {k}=[a,b] for a list)") from None
            if isinstance(known[k], list) and not isinstance(val, list):
                val = [val] if val is not None else []
            if isinstance(known[k], list):
                val = [str(x) for x in val]
            if isinstance(known[k], bool) and not isinstance(val, bool):
                raise ConfigError(f"{k}={v!r}: must be true or false")
            if isinstance(known[k], int) and not isinstance(known[k], bool) and not isinstance(val, int):
                raise ConfigError(f"{k}={v!r}: must be an integer")
            if isinstance(known[k], float) and not isinstance(val, (int, float)):
                raise ConfigError(f"{k}={v!r}: must be a number")
            opts[k] = val
        else:
            overrides.append(a)
    return opts, overrides


def run_main(fn: Callable[[list[str]], int], usage: str, argv: list[str] | None = None) -> int:
    """Print usage on -h, turn ConfigError into one line on stderr with status 2."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in argv):
        print(usage)
        return 0
    try:
        return fn(argv)
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
