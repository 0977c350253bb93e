"""Validation at the door: every value checked, every error one clear line."""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tempfile
from numbers import Integral, Real
from pathlib import Path

import numpy as np

from sim.config.params import CASE_TYPES
from sim.config.schema import Config

SOURCE_DIRS = (Path(__file__).resolve().parents[1], Path(__file__).resolve().parents[2] / "configs")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MAX_HOUSEHOLDS = 20_000_000  # assumption: twice the largest world shipped (inner_mongolia, about 10.2 M)
MAX_OFFICIALS = 1_000_000
MAX_UNITS = 1_000_000
# Structure a reform builds once: when the baseline has built it, the reform keeps these settings.
BUILT = {"village_merger": ("enabled", "service_radius_km"),
         "abolish_street_offices": ("enabled", "merge_size", "staff_to", "functions_to", "close_within_km")}


class ConfigError(ValueError):
    """A bad input: the message is one line naming the key, the value and what is allowed."""


def _fmt(v) -> str:
    return repr(v) if isinstance(v, str) else str(v)


def _check_value(key: str, value, meta: dict) -> None:
    if meta.get("choices") is not None and value not in meta["choices"]:
        allowed = ", ".join(map(str, meta["choices"]))
        raise ConfigError(f"{key}={_fmt(value)}: not allowed; choose one of: {allowed}")
    if isinstance(value, bool) or not isinstance(value, Real):
        return
    if not math.isfinite(value):
        raise ConfigError(f"{key}={value}: must be a finite number")
    lo, hi, gt = meta.get("lo"), meta.get("hi"), meta.get("gt")
    if gt is not None and not value > gt:
        raise ConfigError(f"{key}={value}: must be greater than {gt}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        if lo is not None and hi is not None:
            raise ConfigError(f"{key}={value}: must be between {lo} and {hi}")
        if lo is not None:
            raise ConfigError(f"{key}={value}: must be at least {lo}")
        raise ConfigError(f"{key}={value}: must be at most {hi}")


def check_fields(obj, prefix: str = "") -> None:
    """Check every field of a config dataclass tree against its declared range."""
    for f in dataclasses.fields(obj):
        key = f"{prefix}{f.name}"
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            check_fields(value, key + ".")
            continue
        if value is None:
            continue
        if isinstance(value, list):
            length = f.metadata.get("length")
            if length is not None and len(value) != length:
                raise ConfigError(f"{key}={value}: must be a list of {length} values")
            default = (f.default_factory() if f.default_factory is not dataclasses.MISSING else [])
            kind = type(default[0]) if default else str
            for i, item in enumerate(value):
                if isinstance(item, (list, dict)) or item is None:
                    raise ConfigError(f"{key}[{i}]={_fmt(item)}: must be a single value")
                if kind is int and (isinstance(item, bool) or not isinstance(item, Integral)):
                    raise ConfigError(f"{key}[{i}]={_fmt(item)}: must be a whole number")
                if kind is float and (isinstance(item, bool) or not isinstance(item, Real)):
                    raise ConfigError(f"{key}[{i}]={_fmt(item)}: must be a number")
                if kind is str and not isinstance(item, str):
                    raise ConfigError(f"{key}[{i}]={_fmt(item)}: must be a name, not a number or true/false")
                _check_value(f"{key}[{i}]", item, f.metadata)
            if (f.metadata.get("choices") or f.metadata.get("length") is None) and len(set(value)) < len(value):
                twice = next(v for v in value if value.count(v) > 1)
                raise ConfigError(f"{key}={value}: {_fmt(twice)} is listed twice; each may appear once")
            continue
        _check_value(key, value, f.metadata)


def _shares(key: str, values: dict[str, float], total: float = 1.0) -> None:
    s = sum(values.values())
    if abs(s - total) > 1e-6:
        parts = " + ".join(f"{k}={v:g}" for k, v in values.items())
        raise ConfigError(f"{key}: {parts} = {s:g}; the shares must sum to {total:g}")


def check_consistency(cfg: Config, at_scale: bool = False) -> None:
    """Cross-field rules that no single range can express (``at_scale``: ``cfg`` is the scaled config the
    model runs, so a region's parts are taken at its scale too; else as written)."""
    w, p, prm = cfg.world, cfg.policy, cfg.params
    for key, name in (("world.name", w.name), ("policy.name", p.name)):
        if not NAME.fullmatch(name):
            raise ConfigError(f"{key}={name!r}: must be a plain name of letters, digits, '_', '.' or '-' "
                              "(at most 64, not starting with '.' or '-'); it names the output folder")
    if not NAME.fullmatch(cfg.baseline.name):
        raise ConfigError(f"baseline.name={cfg.baseline.name!r}: must be a plain name")
    check_structure_kept(cfg, at_scale)
    _shares("params.needs.case_type_shares", dict(zip(CASE_TYPES, prm.needs.case_type_shares)))
    if w.units.type_shares and abs(sum(w.units.type_shares) - 1) > 1e-6:
        raise ConfigError(f"world.units.type_shares={w.units.type_shares}: the shares must sum to 1")
    if w.party.share_retired + w.party.share_floating > 1:
        raise ConfigError(
            f"world.party.share_retired + share_floating = {w.party.share_retired + w.party.share_floating:g}: "
            "must be at most 1"
        )
    if w.profile.income_low_share + w.profile.income_high_share > 1:
        raise ConfigError("world.profile: income_low_share + income_high_share must be at most 1")
    worlds = _worlds(w, at_scale)
    for part, ww in worlds:
        try:
            _check_world(ww, at_scale and w.scale != 1)
        except ConfigError as e:
            raise ConfigError(f"configs/world/parts/{part}.yaml: {e}" if part else str(e)) from None
    n_hh_total = sum(_households(ww) for _, ww in worlds)
    if n_hh_total > MAX_HOUSEHOLDS:
        raise ConfigError(f"world {w.name!r}: {n_hh_total:,.0f} households; the model takes at most {MAX_HOUSEHOLDS:,}")
    depts = set(w.departments)
    if not depts:
        raise ConfigError("world.departments=[]: at least one department is needed")
    for i, d in enumerate(prm.escalation.case_department):
        if d not in depts:
            raise ConfigError(f"params.escalation.case_department[{i}]={d!r}: not a department of the world; "
                              f"choose one of: {', '.join(w.departments)}")
    n_dept_staff = dept_staff_total(w, at_scale)
    for where, pol in (("policy", p), ("baseline", cfg.baseline)):
        sd = pol.staff_sent_down
        wanted = sd.n + round(sd.share * n_dept_staff)
        if wanted > n_dept_staff:
            raise ConfigError(f"{where}.staff_sent_down.n={sd.n}: with share={sd.share:g} that asks for {wanted} "
                              f"staff, but the world's departments have {n_dept_staff} "
                              f"({len(w.departments)} departments x world.staff.dept_staff_per_department)")
    for name in ("reform_day",):
        if getattr(p, name) >= cfg.days:
            raise ConfigError(f"policy.{name}={getattr(p, name)}: the run has days={cfg.days}; "
                              f"the reform must start before day {cfg.days}")
    for lever in _levers(p):
        start = getattr(p, lever).start_day
        if start is not None and start >= cfg.days:
            raise ConfigError(f"policy.{lever}.start_day={start}: the run has days={cfg.days}; "
                              f"it must be below {cfg.days}")
        if start is not None and start < p.reform_day:
            raise ConfigError(f"policy.{lever}.start_day={start}: before policy.reform_day={p.reform_day}, where "
                              f"the measurement window opens; a lever starts on the reform day or later (every "
                              f"policy is measured from the same state, before any of its changes)")



def _worlds(w, at_scale: bool = True) -> list[tuple[str, object]]:
    """(part name, world config) of a plain world ("", w) or of each part of a region (at the region's
    scale, or as written)."""
    if not w.parts:
        return [("", w)]
    from sim.world.region import part_names, parts_of

    known = part_names()
    for name in w.parts:
        if name not in known:
            import difflib

            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise ConfigError(f"world.parts: {name!r} is not a part; {hint}choose from configs/world/parts/: "
                              f"{', '.join(known)}")
    if len(set(w.parts)) < len(w.parts):
        raise ConfigError(f"world.parts={w.parts}: a part is listed twice")
    parts = parts_of(w)
    if at_scale and w.scale != 1:
        from sim.world.scale import scaled_world

        parts = [scaled_world(p) for p in parts]
    for p in parts:
        check_fields(p, "world.")
    return list(zip(w.parts, parts))


def _households(w) -> float:
    return w.urban.households + w.villages.n_villages * w.villages.households_mean + w.pastoral.households


def dept_staff_total(w, at_scale: bool = True) -> int:
    """All department staff of a world (of every part of a region, at its scale or as written)."""
    return sum(ww.staff.dept_staff_per_department * len(ww.departments) for _, ww in _worlds(w, at_scale))


def _least_scale(w) -> float:
    """The smallest scale, in two significant figures, at which the world that ``w`` (at ``w.scale``) is made
    from has 3 x 3 cells (lengths shrink with the square root of the scale)."""
    full = [side / math.sqrt(w.scale) for side in (w.width_km, w.height_km)]
    least = max((2.5 * w.cell_km / side) ** 2 for side in full)
    step = 10.0 ** (math.floor(math.log10(least)) - 1)
    v = math.ceil(least / step) * step
    while any(round(side * math.sqrt(v) / w.cell_km) < 3 for side in full):  # round() takes 2.5 to 2
        v += step
    return float(f"{v:.2g}")


def _check_world(w, scaled: bool = False) -> None:
    """The checks of one world's (or one part's) own geography and organisation (``scaled``: ``w`` is the
    world as the run's scale made it)."""
    n_hh = w.urban.households + w.pastoral.households + w.villages.n_villages
    if n_hh == 0:
        raise ConfigError(f"world {w.name!r}: no households (urban.households, villages.n_villages, "
                          "pastoral.households are all 0); at least one must be positive")
    for side in ("width_km", "height_km"):
        n = getattr(w, side) / w.cell_km
        if not n <= 100_000:  # also catches an overflow to infinity
            raise ConfigError(f"world.{side}={getattr(w, side):g}: with cell_km={w.cell_km:g} that is more than "
                              "100,000 cells across; use larger cells or a smaller world")
    nx, ny = round(w.width_km / w.cell_km), round(w.height_km / w.cell_km)
    if nx < 3 or ny < 3:
        if scaled and w.scale < 1:  # the scale made it too small: say which scale is the least
            raise ConfigError(f"world.scale={w.scale:g}: the world would be {w.width_km:.2g} x {w.height_km:.2g} km, "
                              f"{nx} x {ny} cells of {w.cell_km:g} km; it needs at least 3 x 3 cells, so a scale "
                              f"of at least {_least_scale(w):g}")
        raise ConfigError(f"world.cell_km={w.cell_km:g}: the {w.width_km:.3g} x {w.height_km:.3g} km world "
                          f"would be {nx} x {ny} cells; it needs at least 3 x 3")
    if nx * ny > 4_000_000:
        raise ConfigError(f"world.cell_km={w.cell_km}: {nx} x {ny} cells is more than 4,000,000; use larger cells")
    n_hh_total = _households(w)
    if n_hh_total > MAX_HOUSEHOLDS:
        raise ConfigError(f"world {w.name!r}: {n_hh_total:,.0f} households (urban.households + villages.n_villages x "
                          f"households_mean + pastoral.households); the model takes at most {MAX_HOUSEHOLDS:,}")
    n_officials = (w.n_street_offices * w.staff.street_staff_per_office
                   + len(w.departments) * w.staff.dept_staff_per_department)
    if n_officials > MAX_OFFICIALS:
        raise ConfigError(f"world.staff: {n_officials:,} street and department staff; the model takes at most "
                          f"{MAX_OFFICIALS:,}")
    n_units = w.units.per_10k_households * n_hh_total / 10_000 + w.units.universities
    if n_units > MAX_UNITS:
        raise ConfigError(f"world.units: {n_units:,.0f} resident units; the model takes at most {MAX_UNITS:,}")
    n_comm = _n_communities(w)
    far = []  # (key, km): places that must lie at least km from the seat (sim.world.generate._far_points)
    if w.pastoral.households:
        far.append(("world.pastoral.min_distance_km", w.pastoral.min_distance_km))
    if w.villages.n_villages and w.urban.households:
        far.append(("world.urban.core_sd_km", w.urban.core_sd_km))  # villages keep keep_out_factor x core_sd_km away
    k_out = w.villages.keep_out_factor
    for key, value in far:
        km = value * (k_out if key.endswith("core_sd_km") else 1)
        if km > 0 and _far_share(w.width_km, w.height_km, km) < 0.05:
            why = (f"villages stay {k_out:g} x that" if key.endswith("core_sd_km")
                   else "pastoral households stay that far")
            raise ConfigError(f"{key}={value:g}: {why} from the seat, but the world is only {w.width_km:g} x "
                              f"{w.height_km:g} km; use at most {min(w.width_km, w.height_km) / 2 / (km / value):g}")
    if w.n_street_offices > n_comm:
        raise ConfigError(f"world.n_street_offices={w.n_street_offices}: the world has only {n_comm} "
                          "communities; a street office needs at least one")
    if n_comm > nx * ny:
        raise ConfigError(f"world: {n_comm} communities cannot fit in {nx * ny} cells of {w.cell_km} km; "
                          "use smaller cells or fewer communities")

def check_structure_kept(cfg: Config, at_scale: bool = False) -> None:
    """A reform builds on the baseline's structure; it cannot take it down or redo it (it would silently
    do nothing): a merger or an abolition the baseline made, grids, stations, staff sent down, partnerships."""
    b, p = cfg.baseline, cfg.policy

    def refuse(lever: str, key: str, why: str):
        v = getattr(getattr(p, lever), key)
        shown = str(v).lower() if isinstance(v, bool) else v
        raise ConfigError(f"policy.{lever}.{key}={shown}: {why} (baseline.{lever}.{key}="
                          f"{str(getattr(getattr(b, lever), key)).lower()}); a reform builds on the baseline's "
                          "structure and cannot undo or redo it; give both the same value")

    for lever, keys in BUILT.items():
        if getattr(b, lever).enabled:
            for key in keys:
                if getattr(getattr(p, lever), key) != getattr(getattr(b, lever), key):
                    refuse(lever, key, "the baseline already made this change" if key == "enabled"
                           else "the baseline already built it this way")
    if b.grid_management.enabled and not p.grid_management.enabled:
        refuse("grid_management", "enabled", "the baseline has grids")
    if b.unit_integration.university_partnership and not p.unit_integration.university_partnership:
        refuse("unit_integration", "university_partnership", "the baseline's partnerships exist")
    if p.service_centres.extra_points_per_community < b.service_centres.extra_points_per_community:
        refuse("service_centres", "extra_points_per_community", "the baseline's stations exist")
    total = dept_staff_total(cfg.world, at_scale)
    want = [sd.n + round(sd.share * total) for sd in (b.staff_sent_down, p.staff_sent_down)]
    if want[1] < want[0]:
        refuse("staff_sent_down", "n" if p.staff_sent_down.n < b.staff_sent_down.n else "share",
               f"the baseline sent {want[0]} staff down, the reform asks for {want[1]}")


def _far_share(width: float, height: float, km: float) -> float:
    """Share of the world at least ``km`` from its centre (the seat), on a 100 x 100 grid."""
    x = (np.arange(100) + 0.5) / 100 * width - width / 2
    y = (np.arange(100) + 0.5) / 100 * height - height / 2
    return float((np.hypot(*np.meshgrid(x, y)) >= km).mean())


def _levers(p) -> list[str]:
    return [f.name for f in dataclasses.fields(p) if dataclasses.is_dataclass(getattr(p, f.name))]


def _n_communities(w) -> int:
    """Communities the world's generator will make (see sim.world.generate)."""
    n = 0
    if w.urban.households:
        n += max(1, round(w.urban.households / w.urban.households_per_community))
    if w.villages.n_villages:
        n += max(1, round(w.villages.n_villages / w.villages.villages_per_community))
    if w.pastoral.households:
        n += max(1, round(w.pastoral.households / w.pastoral.households_per_community))
    return n


def check_out_path(out: str) -> None:
    """Refuse an output folder that can never hold a run.

    ``out`` is the user's own choice of folder, anywhere they can write, so only
    dangerous or impossible values are refused: a file, a folder inside a file,
    the working folder or one that contains it (a run replaces its folder), the
    program's own source tree, a non-empty folder that holds no run, and a place
    that cannot be written.  (:func:`sim.api.check_out` repeats the last checks
    when a result is saved.)
    """
    key = f"out={out!r}"
    if "\0" in out:
        raise ConfigError(f"{key}: must not contain a NUL character")
    try:
        _check_out_path(out, key)
    except OSError as e:  # e.g. a folder on the way that cannot be read
        raise ConfigError(f"{key}: cannot use it ({e.strerror or e})") from None


def _check_out_path(out: str, key: str) -> None:
    path = Path(out).expanduser()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{key}: exists and is a file; give a folder path")
    real = path.resolve()
    if real == Path(real.anchor) or real in (Path.cwd().resolve(), *Path.cwd().resolve().parents):
        raise ConfigError(f"{key}: is the working folder or contains it; a run replaces its folder, "
                          "so give a new folder such as results/my_run")
    for src in SOURCE_DIRS:
        if real == src or src in real.parents:
            raise ConfigError(f"{key}: is inside the program's source folder {src}; write results elsewhere, "
                              "e.g. results/my_run")
    if path.is_dir() and any(path.iterdir()) and not (path / "summary.json").exists():
        raise ConfigError(f"{key}: folder is not empty and holds no run; choose a new or empty folder")
    parent = path.absolute()
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise ConfigError(f"{key}: {parent} is a file, so no folder can be made inside it")
    if path.exists():
        parent = path
    try:  # os.access says yes to root even on read-only mounts: try for real, leaving nothing behind
        os.rmdir(tempfile.mkdtemp(prefix=".sim-write-test-", dir=parent))
    except OSError as e:
        raise ConfigError(f"{key}: cannot write in {parent} ({e.strerror or e})") from None


def validate(cfg: Config) -> Config:
    """Check ranges and cross-field rules; raise ConfigError with one line."""
    check_fields(cfg)
    check_consistency(cfg)
    if cfg.world.scale != 1:  # the model runs the scaled world: it must hold together too
        from sim.world.scale import scaled

        try:
            check_consistency(scaled(cfg), at_scale=True)
        except ConfigError as e:
            if re.match(r"(configs/world/parts/\S+: )?world\.scale=", str(e)):  # it says what the scale does
                raise ConfigError(str(e)) from None
            raise ConfigError(f"world.scale={cfg.world.scale:g}: the scaled world fails: {e}") from None
    if cfg.out:
        check_out_path(cfg.out)
    return cfg
