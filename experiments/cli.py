"""Shared command-line handling for ``python -m experiments.*``: ``key=value`` arguments.

Values are read as YAML (``policies=[a,b]``, ``seeds=20``).  A key the tool does not
know is passed to the model as a Hydra override (``days=120``,
``params.needs.rate_dispute=1``) if it starts with a key of the model's config;
anything else is a mistake, reported in one line with the tool's own options and
the closest name.  Model keys the tool sets itself per run (``seed`` for a tool that
chooses the seeds) are refused with what to write instead.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import sys
from collections.abc import Callable, Iterable

import yaml

import sim.config.load as _load
from sim.config.schema import Config
from sim.config.validate import ConfigError

# The model's top-level keys, and any other prefix its door takes (e.g. ``reform.`` where it has one).
MODEL_KEYS = tuple(f.name for f in dataclasses.fields(Config)) + tuple(
    p.rstrip(".") for p in (getattr(_load, "REFORM", None),) if isinstance(p, str) and p)


def did_you_mean(value: str, names: Iterable[str]) -> str:
    """'did you mean X? ' for the closest of ``names``, or ''."""
    close = difflib.get_close_matches(value, list(names), n=1, cutoff=0.6)
    return f"did you mean {close[0]}? " if close else ""


FORMATS = ("png", "pdf", "svg")


# a results store's own entries (its runs, snapshots, a sweep's manifests and Hydra logs, what collect writes),
# which an analysis may sit beside
STORE_ENTRIES = ("runs", "snapshots", "sweeps", "hydra", "runs.csv", "runs.parquet")


def canonical_overrides(overrides) -> list[str]:
    """Model overrides as they act, so that two commands of the same runs give the same list: of a key given
    more than once (``days=5 ++days=6``) the last (Hydra takes the last), then in key order, unless one key
    lies inside another (``x=[1,2]`` and ``x.0=9``), whose order then decides and is kept."""
    texts = [str(o) for o in overrides or []]
    key = [t.split("=", 1)[0].lstrip("+~") for t in texts]
    kept = [t for i, t in enumerate(texts) if key[i] not in key[i + 1:]]
    keys = [k.split("=", 1)[0].lstrip("+~") for k in kept]
    nested = any(a != b and b.startswith(a + ".") for a in keys for b in keys)
    return kept if nested else sorted(kept, key=lambda t: t.split("=", 1)[0].lstrip("+~"))


def _settings_file(out, tool: str):
    return out / f".{tool}-settings.json"


def check_analysis_out(out, marker: str, mine: dict, tool: str, norm=None) -> None:
    """Refuse an ``out=`` folder that holds anything but this tool's analysis of the same settings.

    ``mine``: the settings that must match, compared after ``norm`` (a function of a settings dict; e.g. to
    leave out words that do not change what runs) with those the folder's ``marker`` (the analysis, JSON,
    written last) records, or, for an analysis that was stopped before its marker, with those
    :func:`analysis_out` wrote before it ran. A results store's folders (``runs/``, ...) may sit
    beside it, and a folder with nothing else in it is taken as it is. An analysis of the same settings
    is made again in its place.
    """
    import json
    from pathlib import Path

    out = Path(out)
    norm = norm or (lambda d: d)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"out={out}: is a file, not a folder; choose a new or empty folder")
    entries = [p for p in out.iterdir() if not p.name.startswith(".") and p.name not in STORE_ENTRIES] \
        if out.is_dir() else []
    if not entries:
        return
    f = out / marker
    if not f.is_file():
        f = _settings_file(out, tool)
    if not f.is_file():
        raise ConfigError(f"out={out}: the folder is not empty and holds no {tool} analysis ({marker}); "
                          "choose a new or empty folder")
    try:
        old = json.loads(f.read_text())
        theirs = norm({k: old.get(k) for k in mine})
    except (OSError, ValueError, AttributeError, TypeError):
        raise ConfigError(f"out={out}: its {f.name} cannot be read; choose a new or empty folder") from None
    mine = norm(json.loads(json.dumps(mine)))  # as it would be read back (tuples as lists)
    for k in mine:
        if k not in old:
            raise ConfigError(f"out={out}: holds a {tool} analysis of an earlier version, which does not record "
                              f"{k}; give another folder, or remove that one to replace it")
        if theirs[k] != mine[k]:
            raise ConfigError(f"out={out}: holds a {tool} analysis of other settings ({k}={theirs[k]!r} there, "
                              f"{mine[k]!r} here); give another folder, or remove that one to replace it")


@contextlib.contextmanager
def analysis_out(out, marker: str, mine: dict, tool: str, norm=None):
    """The analysis folder ``out``, checked first (:func:`check_analysis_out`: refused if it holds anything but
    this tool's analysis of the same settings), then with ``mine`` recorded in it while the analysis runs, so
    that one stopped before its outputs were all written is recognised (and resumed), never taken for another.
    If the analysis fails before writing anything, the record goes again (and the folder, if it made it): a
    refused setting leaves no folder behind."""
    import json
    from pathlib import Path

    from sim.files import write_text

    check_analysis_out(out, marker, mine, tool, norm)
    out = Path(out)
    made = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    f = _settings_file(out, tool)
    write_text(f, json.dumps(mine, indent=1, default=str) + "\n")
    try:
        yield
    except BaseException:
        if not [p for p in out.iterdir() if not p.name.startswith(".") and p.name not in STORE_ENTRIES]:
            f.unlink(missing_ok=True)
            if made and not any(out.iterdir()):
                out.rmdir()
        raise


def check_formats(formats, need_png: bool = False) -> None:
    """One line for figure formats that cannot be written, before anything runs."""
    if not isinstance(formats, list) or not formats:
        raise ConfigError(f"formats={formats}: name at least one of {', '.join(FORMATS)}, e.g. formats=[png,pdf]")
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ConfigError(f"formats: {bad[0]!r} is not one of {', '.join(FORMATS)}")
    if need_png and "png" not in formats:
        raise ConfigError(f"formats={formats}: include png (the report shows it), e.g. formats=[png,pdf]")


def check_workers(n_jobs, sample_seed=0) -> int:
    """One line for a number of worker processes or a sampling seed that cannot work; the processes to use
    (0: one per core)."""
    import os

    if not isinstance(n_jobs, int) or isinstance(n_jobs, bool) or n_jobs < 0:
        raise ConfigError(f"n_jobs={n_jobs}: must be a number of worker processes, 1 or more, or 0 for one per core")
    if not isinstance(sample_seed, int) or isinstance(sample_seed, bool) or sample_seed < 0:
        raise ConfigError(f"sample_seed={sample_seed}: must be a whole number, 0 or more")
    return n_jobs or os.cpu_count() or 1


def unknown_name(option: str, value: str, kind: str, names: Iterable[str]) -> ConfigError:
    """One line for a name that is not one of ``names``: the option, the value, the closest and the list."""
    names = list(names)
    article = "an" if kind[:1].lower() in "aeiou" else "a"
    return ConfigError(f"{option}: {value!r} is not {article} {kind}; {did_you_mean(value, names)}"
                       f"choose from: {', '.join(names)}")


def parse(argv: list[str], known: dict, tool: str = "", reserved: dict[str, str] | None = None,
          model: bool = True, listed: tuple[str, ...] = ()) -> tuple[dict, list[str]]:
    """Split arguments into the tool's options (defaults from ``known``) and model overrides.

    ``reserved``: model keys the tool sets per run, with what to write instead (refused);
    ``model=False``: the tool takes no model overrides at all; ``listed``: list options whose default ``[]``
    stands for a list of the tool's own (every outcome, the named policies), so that ``KEY=[]`` given on the
    command line, which would silently mean it, is refused.
    """
    opts, overrides = dict(known), []
    reserved = reserved or {}
    for a in argv:
        if "=" not in a or a.startswith("-"):
            raise ConfigError(f"{a}: expected key=value (see --help)")
        k, v = a.split("=", 1)
        if k in known:
            opts[k] = _value(k, v, known[k])
            if opts[k] == [] and k in listed:  # its [] stands for the tool's own default list
                raise ConfigError(f"{k}={v}: an empty list; name at least one, or leave {k}= out for the default "
                                  "(see --help)")
            continue
        head = k.lstrip("+~").split(".")[0].split("/")[0]
        if head in reserved and not k.lstrip("+~").startswith(head + "."):  # policy=NAME is; policy.X=v is not
            raise ConfigError(f"{a}: {reserved[head]}")
        if not model or head not in MODEL_KEYS:
            raise ConfigError(_unknown_option(k, known, tool, model))
        overrides.append(a)
    return opts, overrides


def _value(k: str, v: str, default):
    try:
        val = yaml.safe_load(v) if v != "" else None
    except yaml.YAMLError:
        raise ConfigError(f"{k}={v!r}: not a value (use e.g. {k}=[a,b] for a list)") from None
    if isinstance(default, list):
        val = [str(x) for x in (val if isinstance(val, list) else [val] if val is not None else [])]
    elif isinstance(default, bool):
        if not isinstance(val, bool):
            raise ConfigError(f"{k}={v!r}: must be true or false")
    elif isinstance(default, int):
        if isinstance(val, bool) or not isinstance(val, int):
            raise ConfigError(f"{k}={v!r}: must be a whole number, e.g. {k}={default}")
    elif isinstance(default, float):
        if isinstance(val, bool) or not isinstance(val, (int, float)):
            raise ConfigError(f"{k}={v!r}: must be a number, e.g. {k}={default:g}")
    elif isinstance(default, str):
        if isinstance(val, (list, dict)):
            raise ConfigError(f"{k}={v!r}: must be a single value")
        val = "" if val is None else str(v)
    return val


def _unknown_option(key: str, known: dict, tool: str, model: bool) -> str:
    names = [*known, *(MODEL_KEYS if model else ())]
    where = f" of {tool}" if tool else ""
    tail = "; any key of the model's config (python -m sim --cfg) is passed to every run" if model else ""
    return f"{key}: unknown option{where}; {did_you_mean(key, names)}its options: {', '.join(known)}{tail}"


def usage_of(doc: str, known: dict, overrides: bool = True) -> str:
    """A tool's --help from its module docstring (what it does, then its command) and its options' defaults
    (``overrides``: it also takes model overrides)."""
    paras = [p.strip().replace("``", "").replace("**", "") for p in doc.strip().split("\n\n")]
    defaults = "\n".join(f"  {k}={_shown(v)}" for k, v in known.items())
    more = "\n  any other key=value is a model override for every run, e.g. world.scale=0.1" if overrides else ""
    return "\n\n".join([f"usage: {' '.join(paras[1].split())}", paras[0], *paras[2:],
                        f"options (defaults):\n{defaults}{more}"])


def _shown(v) -> str:
    if isinstance(v, list):
        return "[" + ",".join(map(str, v)) + "]"
    return '""' if v == "" else str(v)


def run_main(fn: Callable[[list[str]], int], usage: str, argv: list[str] | None = None) -> int:
    """Print usage on -h, turn ConfigError into one line on stderr with status 2, Ctrl-C into one line."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in argv):
        print(usage)
        return 0
    try:
        return fn(argv)
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: completed runs are kept in the store; run the same command again to reuse them",
              file=sys.stderr)
        return 130
