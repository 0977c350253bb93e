"""A self-contained policy report: ``python -m experiments.report policies=[im_reform,zhucheng_model]``.

Runs (or reuses) a paired comparison on a world and writes ``report.md`` and a
single-file ``report.html`` (figures and the font subset it needs embedded): what was
run, a summary, what each policy changes (in words, with the report's passages), its
effect on every outcome with a 95 % interval, for whom, at what cost, and how sure we
are.  The default folder is named by the settings, and a folder holding a report of
other settings is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

from experiments import figures, style
from experiments.cli import canonical_overrides, check_formats, parse, run_main, unknown_name
from experiments.compare import RESERVED, Comparison, compare, digest, group_effects, resolve_policies, write
from experiments.labels import label
from experiments.report_render import to_html, to_markdown
from experiments.report_sections import changes, cost, effects, how_sure, summary, title, what_was_run, whom
from experiments.report_text import scale_note_zh, t
from experiments.sources import DEFAULT_STORE
from sim.config.load import options
from sim.config.validate import ConfigError
from sim.files import as_umask_allows

USAGE = """usage: python -m experiments.report [world=tiny] policies=[a,b,...] [options]

  world=NAME        world (default: the model's default world, tiny)
  baseline=NAME     baseline policy (default status_quo)
  policies=[a,b]    policies to compare (default: im_reform, zhucheng_model, jinan_model); patterns such as
                    policies=[only_*] and variants NAME+key=value as in experiments.compare
  seeds=N           replications (default 10); seed_start=S the first; target=X adds seeds until intervals
                    are narrower (see experiments.compare), with max_seeds=N step=N
  lang=en|zh        language of the report and its figures (default en)
  relevant=X        smallest change that counts as mattering: X for shares, X of the baseline level for days,
                    money and staff (default 0.01); bold in the tables
  out=DIR           default reports/<world>-<lang>-<hash of the settings>; a folder holding a report of other
                    settings is refused
  store=DIR         results store to reuse (default results/store); add_to_sweep=true as in compare
  n_jobs=N          worker processes (default: all cores; results do not depend on it)
  formats=[png,pdf] figure files written beside report.md
  robust=DIR        a robust analysis of the same world and baseline (python -m experiments.robust out=DIR):
                    "How sure are we" then shows its range over plausible assumptions beside the seed interval
  any other key=value is a model override for every run, e.g. days=180 world.scale=0.1
"""

KNOWN = dict(world="tiny", baseline="status_quo", policies=[], seeds=10, seed_start=0, out="", store=DEFAULT_STORE,
             add_to_sweep=False, n_jobs=0, target=0.0, max_seeds=200, step=10, lang="en", formats=["png", "pdf"],
             relevant=0.01, robust="")
DEFAULT_POLICIES = ("im_reform", "zhucheng_model", "jinan_model")
REPORT_META = "report.json"


def settings_of(world: str, baseline: str, policies: list[str], seeds: int, seed_start: int, overrides: list[str],
                lang: str, target: float = 0.0, relevant: float = 0.01, robust: dict | None = None) -> dict:
    """What a report is of: everything that changes its content (a robust analysis by its numbers)."""
    out = {"world": world, "baseline": baseline, "policies": list(policies), "seeds": seeds,
           "seed_start": seed_start, "overrides": canonical_overrides(overrides), "lang": lang, "target": target,
           "relevant": relevant}
    if robust:
        out["robust"] = hashlib.sha256(json.dumps(robust, sort_keys=True).encode()).hexdigest()[:12]
    return out


def default_out(settings: dict) -> Path:
    """reports/<world>-<lang>-<hash>: a report of other settings gets another folder."""
    return Path("reports") / f"{settings['world']}-{settings['lang']}-{digest(settings)}"


def check_out(out: Path, settings: dict) -> None:
    """Refuse a folder that holds a report of other settings, or anything that is not a report."""
    if not out.exists():
        return
    if not out.is_dir():
        raise ConfigError(f"out={out}: exists and is not a folder; choose a new folder")
    meta = out / REPORT_META
    if meta.exists():
        try:
            old = json.loads(meta.read_text()).get("settings", {})
        except (OSError, ValueError):
            old = None
        if old == settings:
            return
        what = ", ".join(f"{k}={old.get(k)!r}" for k in settings if isinstance(old, dict) and old.get(k)
                         != settings[k]) if isinstance(old, dict) else "unreadable report.json"
        raise ConfigError(f"out={out}: holds a report of other settings ({what}); choose another out= or remove "
                          "that folder")
    if any(out.iterdir()):
        raise ConfigError(f"out={out}: the folder is not empty and holds no report; choose a new or empty folder")


def context(comp: Comparison) -> dict:
    """What the runs say about themselves: days, scale, households, measurement window, code version."""
    key = next((comp.keys[(comp.baseline, s)] for s in comp.seeds if (comp.baseline, s) in comp.summaries), None)
    s = comp.summaries.get((comp.baseline, comp.seeds[0]), {}) if comp.seeds else {}
    # households differ by seed (each seed draws its world): the range over the baseline's seeds
    hh = sorted(v["households"] for (p, _), v in comp.summaries.items()
                if p == comp.baseline and isinstance(v.get("households"), int))
    ctx = {"days": s.get("days", "?"), "households": (hh[0], hh[-1]) if hh else None,
           "git_commit": s.get("git_commit"), "made": time.strftime("%Y-%m-%d %H:%M"),
           "scale_warning": s.get("scale_warning")}
    for k in ("warmup_days", "window_start_day", "window_days"):
        if s.get(k) is not None:
            ctx[k] = s[k]
    scale = s.get("scale")
    if scale is None and key is not None:
        cfg = yaml.safe_load((comp.store.path(key) / "config.yaml").read_text()) or {}
        scale = (cfg.get("world") or {}).get("scale", 1.0)
    ctx["scale"] = float(scale if scale is not None else 1.0)
    if ctx["scale_warning"] and key is not None:  # the same note in Chinese, from the world it was made of
        try:
            ctx["scale_note_zh"] = scale_note_zh(_world_of(comp.store.path(key)))
        except Exception:  # a run of another version's world: its own (English) note stands
            ctx["scale_note_zh"] = None
    meta = comp.store.meta(key) if key else None
    ctx["code_version"] = (meta or {}).get("code_version", "?")
    return ctx


def _world_of(run: Path):
    """The world config a stored run was made of."""
    from sim.world.region import world_config

    return world_config((yaml.safe_load((run / "config.yaml").read_text()) or {}).get("world") or {})


def _store_text(comp: Comparison) -> str:
    root = comp.store.root
    try:
        return root.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(root)


def report_blocks(comp: Comparison, tab, groups, ctx: dict, figs: dict, lang: str = "en", relevant: float = 0.01,
                  extra: list | None = None, robust: dict | None = None, robust_dir: str = "") -> list[tuple]:
    """The report's blocks in order (``figs``: name -> PNG file or bytes); ``extra`` goes after the effects;
    ``robust``: a robust analysis of the same comparison (its folder ``robust_dir``) for "How sure are we"."""
    fx, strong, shown = effects(comp, tab, lang, relevant, figs["scenario"])
    return [("h1", title(comp, lang)),
            *summary(comp, tab, groups, ctx, lang, relevant, strong, shown),
            *what_was_run(comp, ctx, lang), *changes(comp, lang), *fx, *(extra or []),
            *whom(comp, groups, lang, relevant, figs["breakdown"]),
            *cost(comp, tab, ctx, lang, relevant),
            ("h2", t("time", lang)), ("img", figs["series"], label("series_title", lang)),
            ("img", figs["map"], label("map_title", lang)),
            *how_sure(comp, tab, lang, _store_text(comp), robust, robust_dir)]


def build(comp: Comparison, out: Path, lang: str = "en", formats=("png", "pdf"), relevant: float = 0.01,
          settings: dict | None = None, robust: dict | None = None, robust_dir: str = "") -> Path:
    """Write report.md (figures beside it), report.html (all embedded), the comparison and report.json.

    Everything is made in a temporary folder first and then put in place, so ``out`` holds
    the old report or the new one, never a mixture.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tab = comp.table()
    groups = group_effects(comp, outcomes=("satisfaction_mean",))
    ctx = context(comp)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        figs = style.save_all(figures.make_all(comp, lang), tmp / "figures", formats)
        blocks = report_blocks(comp, tab, groups, ctx, figs, lang, relevant, robust=robust, robust_dir=robust_dir)
        (tmp / "report.md").write_text(to_markdown(blocks, tmp, lang))
        (tmp / "report.html").write_text(to_html(blocks, lang))
        write(comp, tmp)
        meta = {"settings": settings or settings_of(comp.world, comp.baseline, comp.policies, len(comp.seeds),
                                                    min(comp.seeds), comp.overrides, lang, relevant=relevant),
                "made": ctx["made"], "context": ctx}
        (tmp / REPORT_META).write_text(json.dumps(meta, indent=1, default=str) + "\n")
        _swap(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _swap(new: Path, out: Path) -> None:
    """Put the folder ``new`` in place of ``out``.

    ``new`` is a sibling of ``out``, so the relative store paths its comparison.json records hold for ``out``.
    """
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.replace(out, old / "x")
        os.replace(new, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, out)
    as_umask_allows(out, folder=True)  # a temporary folder is private; the report is not


def main(argv: list[str]) -> int:
    opts, overrides = parse(argv, KNOWN, "experiments.report", RESERVED, listed=("policies",))
    if opts["lang"] not in ("en", "zh"):
        raise ConfigError(f"lang={opts['lang']!r}: choose en or zh")
    check_formats(opts["formats"], need_png=True)
    if not 0 <= opts["relevant"] < 1:
        raise ConfigError(f"relevant={opts['relevant']}: must be at least 0 and below 1, e.g. relevant=0.01")
    if opts["world"] not in options("world"):
        raise unknown_name("world", opts["world"], "world", options("world"))
    pols = resolve_policies(opts["policies"] or [p for p in DEFAULT_POLICIES if p in options("policy")],
                            opts["baseline"])
    rob = None
    if opts["robust"]:
        from experiments.report_robust import check
        from experiments.robust import load_result

        rob = load_result(opts["robust"])
        check(rob, opts["world"], opts["baseline"], opts["robust"], overrides)
    sett = settings_of(opts["world"], opts["baseline"], pols, opts["seeds"], opts["seed_start"], overrides,
                       opts["lang"], float(opts["target"]), float(opts["relevant"]), rob)
    out = Path(opts["out"]) if opts["out"] else default_out(sett)
    check_out(out, sett)  # before anything runs
    n_jobs = opts["n_jobs"] or os.cpu_count() or 1
    comp = compare(opts["world"], opts["baseline"], pols, opts["seeds"], opts["seed_start"], overrides,
                   opts["store"], n_jobs, float(opts["target"]), opts["max_seeds"], opts["step"],
                   add_to_sweep=opts["add_to_sweep"])
    build(comp, out, opts["lang"], tuple(opts["formats"]), float(opts["relevant"]), sett, rob, opts["robust"])
    print(f"wrote {out}/report.html (self-contained) and {out}/report.md with figures in {out}/figures/")
    return 1 if comp.failed else 0


if __name__ == "__main__":
    sys.exit(run_main(main, USAGE))
