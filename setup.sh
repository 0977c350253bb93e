#!/usr/bin/env bash
# Set up the project: find a Python >= 3.12, make .venv, install the project and
# its test tools.  Safe to run again: it reinstalls only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

find_python() {
    local c
    for c in "${PYTHON:-}" python3.13 python3.12 python3 \
             "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 \
             /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
        [ -n "$c" ] || continue
        command -v "$c" >/dev/null 2>&1 || [ -x "$c" ] || continue
        if ok "$c"; then echo "$c"; return 0; fi
    done
    return 1
}

if [ -x .venv/bin/python ] && ok .venv/bin/python; then
    py=.venv/bin/python
else
    base=$(find_python) || {
        echo "setup: no Python >= 3.12 found (tried \$PYTHON, python3.13, python3.12, python3, pyenv versions)." >&2
        echo "setup: Mesa 3.5 needs Python 3.12 or newer; install one, or set PYTHON=/path/to/python3.12." >&2
        exit 1
    }
    echo "setup: using $base ($("$base" -V 2>&1))" >&2
    rm -rf .venv
    "$base" -m venv .venv
    py=.venv/bin/python
fi

stamp=.venv/.installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "setup: installing the project into .venv (a minute on a fresh machine)" >&2
    "$py" -m pip install --quiet --upgrade pip >&2
    "$py" -m pip install --quiet -e ".[dev]" >&2
    echo "$want" > "$stamp"
fi
