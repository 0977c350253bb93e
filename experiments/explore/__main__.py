"""``python -m experiments.explore [results/NAME] [--port 8765] [--host 127.0.0.1]``: the explorer in a browser.

The store defaults to ``results/store`` (where ``experiments.compare`` and the report keep their
runs).  The server listens on 127.0.0.1 (this machine only) unless ``--host`` says otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from experiments.sources import DEFAULT_STORE


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m experiments.explore",
                                description="Compare policies, change levers and watch a run in the browser.")
    p.add_argument("store", nargs="?", default=DEFAULT_STORE,
                   help=f"the results store to read and write (default {DEFAULT_STORE})")
    p.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 opens it to the network)")
    return p.parse_args(argv)


def check(args: argparse.Namespace) -> str | None:
    """One line for a bad argument, or None."""
    if not 1 <= args.port <= 65535:
        return f"--port={args.port}: must be between 1 and 65535"
    store = Path(args.store)
    if store.exists() and not store.is_dir():
        return f"store={args.store!r}: is a file, not a results folder; give a folder such as results/explore"
    if not args.host.strip():
        return "--host='': give an address such as 127.0.0.1"
    return None


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    bad = check(args)
    if bad:
        print(f"explore: {bad}", file=sys.stderr)
        return 2
    from experiments.explore.serve import serve

    print(f"explorer: http://{args.host}:{args.port}/  (store {Path(args.store).resolve()}; Ctrl-C stops it)",
          file=sys.stderr)
    try:
        serve(Path(args.store), args.host, args.port)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
