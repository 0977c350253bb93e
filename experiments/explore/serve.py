"""Serve the explorer: Solara's Starlette app under uvicorn, on one host and port.

Solara's front-end comes from the installed ``solara-assets`` package, and its usage reports are
switched off, so the page makes no request beyond this server.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

APP = "experiments.explore.app"


def environment(store: Path, host: str, port: int) -> None:
    """What Solara reads when it starts; set before it is imported."""
    os.environ["EXPLORE_STORE"] = str(Path(store).resolve())
    os.environ["SOLARA_APP"] = APP
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ["SOLARA_THEME_SHOW_BANNER"] = "False"
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(port)


def stop(signum, frame) -> None:
    """SIGTERM ends the server as Ctrl-C does (uvicorn re-raises the signal once it has shut down)."""
    raise KeyboardInterrupt


def serve(store: Path, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Run the server until interrupted (Ctrl-C or SIGTERM); the drawing process ends with it."""
    environment(store, host, port)
    import importlib
    import signal

    import uvicorn

    app = importlib.import_module(APP)  # before the first visitor, who would otherwise wait for it
    app.drawer().submit(app.data.warm)  # and the drawing process, likewise
    app.page_font()

    # without a handler SIGTERM (kill, a service manager, a CI timeout) ends the interpreter at once,
    # and the spawned drawing process is left running with no parent
    signal.signal(signal.SIGTERM, stop)
    # Solara warns, on every page served over http to a host not named localhost (127.0.0.1 here), that its
    # session cookie falls back to SameSite=Lax: what a page served to its own browser, never in a frame, wants
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https", category=UserWarning)
    try:
        uvicorn.run("solara.server.starlette:app", host=host, port=port,
                    log_level=os.environ.get("EXPLORE_LOG", "warning"), ws_max_size=2**26)
    finally:
        app.drawer().shutdown(wait=False, cancel_futures=True)
