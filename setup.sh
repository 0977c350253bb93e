#!/usr/bin/env bash
# Set up the project: find a Python >= 3.12, make .venv, install the project and
# its test tools.  Safe to run again: it reinstalls only when pyproject.toml changed.
#
#   bash setup.sh             the project (the report and every tool; no browser needed)
#   bash setup.sh --browser   also Debian's chromium, for the browser tests (apt-get, as root)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

browser=0
for arg in "$@"; do
    case "$arg" in
        --browser) browser=1 ;;
        -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "setup: unknown option $arg (use --browser, or nothing)" >&2; exit 2 ;;
    esac
done

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

# The browser tests use Debian's chromium (never a browser downloaded by playwright).
if [ "$browser" = 1 ]; then
    if command -v chromium >/dev/null 2>&1; then
        echo "setup: chromium is there ($(chromium --version 2>/dev/null || echo chromium)); browser tests will run" >&2
    elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup: installing Debian's chromium with apt-get, for the browser tests" >&2
        if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >&2 ||
               { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >&2; }; }; then
            echo "setup: could not install chromium with apt-get; the browser tests will be skipped" >&2
        fi
    elif command -v apt-get >/dev/null 2>&1; then
        echo "setup: chromium is missing and setup is not running as root, so it cannot install it;" \
             "run: sudo apt-get install chromium. Until then the browser tests are skipped." >&2
    else
        echo "setup: chromium is missing and there is no apt-get here; install a chromium on PATH for the" \
             "browser tests. Until then they are skipped." >&2
    fi
fi
