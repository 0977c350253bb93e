"""Command line: ``python -m sim world=tiny policy=status_quo seed=1 days=365 out=DIR`` (one run).

Any config key can be overridden with Hydra's ``key=value`` syntax.  A bad value
prints one line naming the key, the value and what is allowed, exits with status 2
and writes nothing.
"""

from __future__ import annotations

import shlex
import sys
import time
import warnings
from pathlib import Path

USAGE = """usage: python -m sim [key=value ...]

  world=NAME       one of: {worlds}
  policy=NAME      one of: {policies}
  seed=INT         run seed (default 1)
  days=INT         days to simulate (default 365)
  out=DIR          output folder (default: results/runs/<world>_<policy>_seed<seed>_<time>)
  progress=BOOL    progress bar on a terminal (default true)
  any other key of the config, e.g. params.needs.rate_dispute=1.0 or policy.grid_management.enabled=true
  (python -m sim --cfg prints every key with its value)

sweeps: python -m experiments.sweep [key=a,b 'seed=range(8)' ...] experiment=NAME (see its --help)
"""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from sim.config.paths import options

    if any(a in ("-h", "--help") for a in argv):
        print(USAGE.format(worlds=", ".join(options("world")), policies=", ".join(options("policy"))))
        return 0
    if "-m" in argv or "--multirun" in argv:  # the model package does not import the experiment tools
        rest = " ".join(shlex.quote(a) for a in argv if a not in ("-m", "--multirun"))
        print(f"error: sweeps moved to `python -m experiments.sweep {rest}` (the same arguments, without -m)",
              file=sys.stderr)
        return 2
    from omegaconf import OmegaConf

    from sim.api import check_out, default_out, format_summary, run_config, write_run
    from sim.config.load import load
    from sim.config.validate import ConfigError

    show_cfg = "--cfg" in argv
    argv = [a for a in argv if a != "--cfg"]
    try:
        unknown = [a for a in argv if a.startswith("-")]
        if unknown:
            raise ConfigError(f"{unknown[0]}: unknown option; use key=value overrides (see --help)")
        cfg, dcfg = load(argv)
        if show_cfg:
            print(OmegaConf.to_yaml(dcfg, resolve=True))
            return 0
        out = Path(cfg.out).expanduser() if cfg.out else default_out(cfg)
        check_out(out, dcfg)
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    from sim.world.scale import warning

    drift = warning(cfg.world)
    if drift:
        print(f"warning: {drift}", file=sys.stderr)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # said once above, in one line
            res = run_config(cfg, dcfg, progress=cfg.progress)
        write_run(res, out)
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return 130
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"error: could not write {out}: {e.strerror or e}; nothing was written", file=sys.stderr)
        return 1
    print(format_summary(res.summary))
    for note in res.summary.get("notes", []):
        print(f"note: {note}", file=sys.stderr)
    print(f"  {'wall time':<32} {time.perf_counter() - t0:>15.1f}s")
    print(f"wrote {out}/ (config.yaml, summary.json, daily, communities, groups as .parquet and .csv)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
