"""The Python API: ``run(...)`` returns a RunResult; nothing is written unless asked."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.config.load import load
from sim.config.schema import Config
from sim.config.validate import ConfigError, check_out_path
from sim.files import as_umask_allows
from sim.model import GovernanceModel
from sim.outcomes import SUMMARY

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("mesa", "numpy", "numba", "pandas", "scipy", "hydra-core", "omegaconf", "pyarrow")
RUN_FILES = ("config.yaml", "summary.json", "daily.parquet", "communities.parquet", "groups.parquet")


class ScaleWarning(UserWarning):
    """The world is run below its smallest faithful scale (sim/world/scale.py)."""


def _format_warning(message, category, filename, lineno, line=None, _other=warnings.formatwarning):
    """A ScaleWarning is shown as the one line ``python -m sim`` prints, not with its source line."""
    if issubclass(category, ScaleWarning):
        return f"warning: {message}\n"
    return _other(message, category, filename, lineno, line)


warnings.formatwarning = _format_warning


@dataclass
class RunResult:
    """What one run produced: ``summary`` (dict), ``daily``, ``communities``, ``groups`` (DataFrames)."""

    summary: dict
    daily: pd.DataFrame
    communities: pd.DataFrame
    groups: pd.DataFrame
    config: DictConfig = field(repr=False)
    model: GovernanceModel | None = field(default=None, repr=False)

    def save(self, out: str | os.PathLike) -> Path:
        """Write the run into folder ``out`` atomically (all files appear at once, or none)."""
        return write_run(self, Path(out))


def run(world: str = "tiny", policy: str = "status_quo", seed: int = 1, days: int = 365,
        overrides: list[str] | tuple[str, ...] = (), progress: bool = False, keep_model: bool = False,
        snapshots=None) -> RunResult:
    """Run one scenario in process and return its results.

    ``overrides`` are Hydra overrides (``"params.needs.rate_dispute=1.0"``).  ``snapshots``
    (``sim.snapshot.MemorySnapshots()`` or ``DirSnapshots(dir)``) shares warm-ups between
    runs that differ only in the policy: the results are bit-identical either way.
    Raises :class:`sim.config.validate.ConfigError` on a bad input.
    """
    if isinstance(overrides, str):
        raise ConfigError(f"overrides={overrides!r}: must be a list of 'key=value' strings, e.g. [{overrides!r}]")
    cfg, dcfg = load([f"world={world}", f"policy={policy}", f"seed={seed}", f"days={days}", *overrides])
    return run_config(cfg, dcfg, progress=progress, keep_model=keep_model, snapshots=snapshots)


def run_config(cfg: Config, dcfg: DictConfig, progress: bool = False, keep_model: bool = False,
               snapshots=None) -> RunResult:
    """Run an already validated config (warm-up branched from ``snapshots`` when given)."""
    from sim.snapshot import warmed_model
    from sim.world.scale import warning

    drift = warning(cfg.world)
    if drift:
        warnings.warn(drift, ScaleWarning, stacklevel=2)
    config = OmegaConf.to_container(dcfg, resolve=True)
    model = warmed_model(cfg, config, snapshots).run(progress=progress)
    summary = {**model.summary(), **provenance(cfg), "scale_warning": drift}
    return RunResult(summary=summary, daily=model.ledger.daily(), communities=model.ledger.communities(),
                     groups=model.ledger.groups(), config=dcfg, model=model if keep_model else None)


def provenance(cfg: Config) -> dict:
    """Seed, world, policy, package versions and git commit of a run."""
    versions = {}
    for p in PACKAGES:
        try:
            versions[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            versions[p] = None
    from sim.version import code_version

    return {"seed": cfg.seed, "world": cfg.world.name, "policy": cfg.policy.name, "days": cfg.days,
            "versions": versions, "git_commit": git_commit(), "code_version": code_version()}


def git_commit() -> str | None:
    """The project's commit, with ``-dirty`` if the work tree has changes; None outside git."""
    try:
        head = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=5)
        if head.returncode:
            return None
        dirty = subprocess.run(["git", "-C", str(PROJECT_ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return head.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def default_out(cfg: Config) -> Path:
    """results/runs/<world>_<policy>_seed<seed>_<time with microseconds> (under the working directory)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return Path("results") / "runs" / f"{cfg.world.name}_{cfg.policy.name}_seed{cfg.seed}_{stamp}"


# settings that do not change a run's results: a run that differs only in them may replace it
NOT_SETTINGS = ("out", "progress")


def check_out(out: Path, config: DictConfig | None = None) -> None:
    """Refuse an output folder we must not write (see sim.config.validate.check_out_path), and, given the
    run's ``config``, one that holds a run of other settings (a run of the same settings is made again in
    its place: it gives the same results)."""
    check_out_path(str(out))
    saved = Path(out).expanduser() / "config.yaml"
    if config is None or not saved.is_file():
        return
    try:
        old = OmegaConf.to_container(OmegaConf.load(saved), resolve=True)
    except Exception:  # noqa: BLE001 - any unreadable config.yaml: not a run we can tell is ours
        old = None
    new = OmegaConf.to_container(config, resolve=True)
    if not isinstance(old, dict) or _settings(old) != _settings(new):
        try:
            what = (f"world {old['world']['name']}, policy {old['policy']['name']}, seed {old['seed']}, "
                    f"{old['days']} days; {_difference(_settings(old), _settings(new))}")
        except (KeyError, TypeError):
            what = "settings it cannot read"
        raise ConfigError(f"out={str(out)!r}: holds a run of other settings ({what}); give another folder, "
                          "or remove that one to replace it")


def _settings(config: dict) -> dict:
    return {k: v for k, v in config.items() if k not in NOT_SETTINGS}


def _difference(old: dict, new: dict, prefix: str = "") -> str:
    """The first key in which two configs differ, in words."""
    for k in sorted(set(old) | set(new), key=str):
        key = f"{prefix}{k}"
        if k not in old:
            return f"{key} is not in that run's config (made by older code)"
        if k not in new:
            return f"{key} is in that run's config only (made by other code)"
        if isinstance(old[k], dict) and isinstance(new[k], dict):
            if old[k] != new[k]:
                return _difference(old[k], new[k], f"{key}.")
        elif old[k] != new[k]:
            return f"{key}={old[k]!r} there, {new[k]!r} here"
    return "the same settings"


def write_run(res: RunResult, out: Path) -> Path:
    """Write every file into a temporary sibling folder, then rename it into place (refused over a run of
    other settings)."""
    out = Path(out).expanduser()
    check_out(out, res.config)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    as_umask_allows(tmp, folder=True)
    try:
        (tmp / "config.yaml").write_text(OmegaConf.to_yaml(res.config, resolve=True))
        (tmp / "summary.json").write_text(json.dumps(res.summary, indent=2, ensure_ascii=False) + "\n")
        for name in ("daily", "communities", "groups"):
            df = getattr(res, name)
            df.to_parquet(tmp / f"{name}.parquet", index=False)
            df.to_csv(tmp / f"{name}.csv", index=False)
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def format_summary(summary: dict) -> str:
    """The section-5 outcomes as an aligned two-column table."""
    lines = [f"{summary['world']} / {summary['policy']} / seed {summary['seed']} / {summary['days']} days"]
    for k in SUMMARY:
        v = summary[k]
        if v is None:
            text = "n/a"
        elif k.endswith("_yuan"):
            text = f"{v:,.0f}"
        elif isinstance(v, float):
            text = f"{v:.3f}"
        else:
            text = str(v)
        lines.append(f"  {k:<32} {text:>16}")
    lines.append(f"  {'households':<32} {summary['households']:>16,}")
    lines.append(f"  {'needs generated':<32} {summary['needs_generated']:>16,}")
    return "\n".join(lines)
