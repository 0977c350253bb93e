"""What the explorer's pages show, as plain Python (no web framework): tests call it directly.

A :class:`Selection` is what a reader picked (world, scale, days, seeds, baseline, up to four
policies).  :func:`check` sends it through the model's door; :func:`plan` names every run it needs
and its key in the store; :func:`comparison` builds the paired comparison from the runs the
store holds (on the seeds every arm has, so a half-finished comparison is still paired); and
:func:`page_blocks` turns it into the policy report's blocks, which the page and the exported
HTML file both show.
"""

from __future__ import annotations

import copy
import io
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from experiments import figures, style
from experiments.cli import unknown_name
from experiments.compare import Comparison, check_policy, group_effects, policy_overrides
from experiments.explore.text import t
from experiments.labels import label, titled
from experiments.measures import run_measures
from experiments.numbers import fmt, scale_of
from experiments.report import context, report_blocks
from experiments.sources import Runs
from experiments.store import run_key
from sim.config.load import load, options
from sim.config.validate import ConfigError

MAX_POLICIES = 4
MAX_SEEDS = 50  # assumption: enough for intervals a reader can use, few enough to compute on this machine
ROBUST = "robust.json"


@dataclass(frozen=True)
class Selection:
    """What a reader picked on the Compare page."""

    world: str = "tiny"
    scale: float = 1.0
    days: int = 365
    seeds: int = 10
    baseline: str = "status_quo"
    policies: tuple[str, ...] = ()

    def overrides(self) -> list[str]:
        """Model settings every run of the comparison shares."""
        out = [f"days={self.days}"]
        return out + ([f"world.scale={self.scale:g}"] if self.scale != 1 else [])

    @property
    def arms(self) -> list[str]:
        return [self.baseline, *[p for p in self.policies if p != self.baseline]]

    def with_policies(self, policies) -> Selection:
        return replace(self, policies=tuple(policies))


def parse_number(key: str, text, kind: type, lo: float, hi: float):
    """A number typed on a page: one line naming the key, the value and what is allowed if it is not one."""
    try:
        v = kind(str(text).strip())
        if kind is int and str(text).strip() != str(v):
            raise ValueError
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ConfigError(f"{key}={str(text)!r}: must be {what} between {lo:g} and {hi:g}") from None
    if not (math.isfinite(v) and lo <= v <= hi):
        raise ConfigError(f"{key}={text}: must be between {lo:g} and {hi:g}")
    return v


def check(sel: Selection) -> None:
    """Every choice through the door: names against the configs, numbers against the schema (ConfigError)."""
    if sel.world not in options("world"):
        raise unknown_name("world", sel.world, "world", options("world"))
    names = options("policy")
    check_policy("baseline", sel.baseline, names)
    if not sel.policies:
        raise ConfigError("policies: choose at least one policy to compare with the baseline")
    if len(sel.policies) > MAX_POLICIES:
        raise ConfigError(f"policies: {len(sel.policies)} chosen; the page compares at most {MAX_POLICIES}")
    for p in sel.policies:
        check_policy("policies", p, names)
    if not 2 <= sel.seeds <= MAX_SEEDS:
        raise ConfigError(f"seeds={sel.seeds}: must be between 2 and {MAX_SEEDS} (an interval needs 2)")
    for p in sel.arms:  # the model's own ranges: days, scale, and a variant's lever values
        load([f"world={sel.world}", *policy_overrides(p), "seed=0", *sel.overrides()])


@dataclass
class Plan:
    """Every run a selection needs: (policy, seed) -> overrides and store key."""

    jobs: dict = field(default_factory=dict)  # (policy, seed) -> list of overrides
    keys: dict = field(default_factory=dict)  # (policy, seed) -> run key


_KEYS: dict[tuple, str] = {}


def plan(sel: Selection) -> Plan:
    """The runs of a selection and their keys.

    The door composes each arm once; a seed's key is that config with its seed set, the same
    config the door makes of ``seed=S`` (tested), at a fraction of the cost of composing every run.
    """
    out = Plan()
    comp = Comparison(sel.world, sel.baseline, list(sel.policies), [], sel.overrides(), None)
    seeds = list(range(sel.seeds))
    for p in sel.arms:
        jobs = comp.jobs(seeds, [p])
        todo = [(s, job) for (_, s, job) in jobs if tuple(job) not in _KEYS]
        if todo:
            _, dcfg = load(todo[0][1])
            for s, job in todo:
                c = copy.deepcopy(dcfg)
                c.seed = s
                _KEYS[tuple(job)] = run_key(c)
        for _, s, job in jobs:
            out.jobs[(p, s)] = job
            out.keys[(p, s)] = _KEYS[tuple(job)]
    return out


_MEASURES: dict[str, dict] = {}  # a run's key fixes its results, so they are read once


def measures(runs: Runs, key: str) -> dict:
    if key not in _MEASURES:
        _MEASURES[key] = run_measures(runs.holder(key), key)
    return _MEASURES[key]


def missing(runs: Runs, pl: Plan) -> list[list[str]]:
    """The overrides of every run the store does not hold complete and intact."""
    return [pl.jobs[ps] for ps, k in pl.keys.items() if not runs.is_done(k)]


def comparison(sel: Selection, runs: Runs, pl: Plan | None = None) -> tuple[Comparison, int, int]:
    """The paired comparison of what the store holds, on the seeds every arm has; (comp, runs held, runs needed)."""
    pl = pl or plan(sel)
    done = {ps for ps, k in pl.keys.items() if runs.is_done(k)}
    common = [s for s in range(sel.seeds) if all((p, s) in done for p in sel.arms)]
    comp = Comparison(sel.world, sel.baseline, list(sel.policies), common, sel.overrides(), runs)
    for p in sel.arms:
        for s in common:
            k = pl.keys[(p, s)]
            comp.keys[(p, s)] = k
            comp.summaries[(p, s)] = runs.summary(k)
            comp.measures[(p, s)] = measures(runs, k)
    return comp, len(done), len(pl.keys)


# -- what the page shows -------------------------------------------------------------------------
def png(fig, dpi: int = 110) -> bytes:
    """A figure as PNG bytes (closed afterwards)."""
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=dpi)
    finally:
        style.plt.close(fig)
    return buf.getvalue()


def robust_ranges(root: Path, world: str = "", baseline: str = "") -> tuple[dict, str]:
    """The store's robust analysis (``robust.json``), if there is one: ({policy: {outcome: {...}}}, note).

    Absent: ({}, ""); unreadable or of another shape: ({}, one line saying so); never an error.
    Given ``world`` and ``baseline``, an analysis of another world or baseline is not used either (as the
    report refuses it): its ranges are not those of the comparison on the page.
    """
    f = Path(root) / ROBUST
    if not f.is_file():
        return {}, ""
    try:
        data = json.loads(f.read_text())
        pols = data["policies"]
        if not isinstance(pols, dict):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError):
        return {}, f"{ROBUST} is unreadable or not a robust analysis; its ranges are not shown"
    for name, want in (("world", world), ("baseline", baseline)):
        if want and data.get(name) != want:
            return {}, f"{ROBUST} is of {name} {data.get(name)!r}, the page of {want!r}; its ranges are not shown"
    return pols, ""


def robust_block(comp: Comparison, robust: dict, lang: str) -> list[tuple]:
    """Assumption ranges: each policy's effect across the plausible values of the model's assumptions."""
    from experiments.report_render import Table

    rows = []
    for p in comp.policies:
        name = p.split("+", 1)[0] if p not in robust else p
        for o, r in (robust.get(name) or {}).items():
            if not isinstance(r, dict) or "median" not in r:
                continue
            k = scale_of(o)
            ci = r.get("seed_ci") or [np.nan, np.nan]
            rows.append([label(p, lang), titled(o, lang), fmt(r["median"] / k, "−", True),
                         f"[{fmt(r.get('q05', np.nan) / k, '−')}, {fmt(r.get('q95', np.nan) / k, '−')}]",
                         f"{100 * r['share_same_sign']:.0f}%" if isinstance(r.get("share_same_sign"), (int, float))
                         else "n/a",
                         f"[{fmt(ci[0] / k, '−')}, {fmt(ci[1] / k, '−')}]"])
    if not rows:
        return []
    header = [label("policy", lang), label("outcome", lang), *[t(k, lang) for k in ("r_median", "r_range", "r_same",
                                                                                    "r_seed")]]
    return [("h2", t("robust", lang)), ("p", t("robust_p", lang)), ("table", Table(header, rows))]


def page_blocks(comp: Comparison, lang: str = "en", relevant: float = 0.01, robust: dict | None = None) -> list[tuple]:
    """The Compare page: the policy report's blocks for these runs, figures as PNG bytes."""
    tab = comp.table()
    groups = group_effects(comp, outcomes=("satisfaction_mean",))
    ctx = context(comp)
    figs = {name: png(f) for name, f in figures.make_all(comp, lang).items()}
    extra = robust_block(comp, robust, lang) if robust else []
    return report_blocks(comp, tab, groups, ctx, figs, lang, relevant, extra)


def lever_blocks(comp: Comparison, lang: str = "en", relevant: float = 0.01) -> list[tuple]:
    """The Levers page: what was run (world, days, seeds: those the Compare page last showed), what the changed
    policy changes, in words, and its paired effect on every outcome."""
    from experiments.report_sections import changes, effects, what_was_run

    tab = comp.table()
    fx, _, _ = effects(comp, tab, lang, relevant, png(figures.scenario(comp, lang)))
    return [*what_was_run(comp, context(comp), lang), *changes(comp, lang), *fx]


def warm() -> None:
    """Import what drawing needs (run once in the drawing process when the server starts)."""
    style.setup()


def draw(comp: Comparison, lang: str, part: str, robust: dict | None = None) -> list[tuple]:
    """The blocks of the Compare page (``part="compare"``) or of the Levers page (``"levers"``)."""
    return lever_blocks(comp, lang) if part == "levers" else page_blocks(comp, lang, robust=robust)


def export_html(blocks: list[tuple], lang: str) -> bytes:
    """The page as one self-contained HTML file (figures and the font subset inside)."""
    from experiments.report_render import to_html

    return to_html(blocks, lang).encode()
