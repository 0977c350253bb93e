"""The explorer as a reader uses it: a real server, headless Chromium, a tour of its pages.

``python -m experiments.explore STORE --port FREE`` runs as a subprocess on a store that
``experiments.compare`` filled beforehand for the comparison the tour picks, so the Compare page has
its numbers at once; the Levers page's changed policy is computed by the server's own worker.  The tour:
Compare (two policies chosen in the menu, 20 days and two seeds typed) and its numbers against the
store's summaries; Levers (a lever changed, its effect shown and checked likewise; a bad value and the
door's one line); 中文; the export.  Throughout, every request the browser makes goes to the server on
127.0.0.1, and the server listens on 127.0.0.1 only.

As in ``test_report_browser``, Debian's ``chromium`` is driven by the ``playwright`` package (nothing
downloads a browser) and sees no Chinese font of the system's: Chinese on the page is drawn by the font
the page carries.  Screenshots go to ``results/explore-screens/`` for a person to look at.
"""

import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
from scipy import stats

from experiments.compare import compare
from experiments.sources import Runs
from experiments.store import Store
from tests.browser import NEEDS_BROWSER, chromium_without_chinese_fonts

ROOT = Path(__file__).resolve().parents[1]
SCREENS = ROOT / "results" / "explore-screens"
pytestmark = NEEDS_BROWSER

DAYS, SEEDS = 20, 2
CHOSEN = ("jinan_model", "zhucheng_model")  # the tour ticks Jinan model and unticks Inner Mongolia reform
LEVER, VALUE = "grid_management.households_per_grid", "300"
VARIANT = f"zhucheng_model+policy.{LEVER}={VALUE}"
WAIT = 300_000  # ms: the first drawing of a page takes half a minute on a busy two-core machine


# -- the server ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The explorer on a free port of 127.0.0.1; while it starts, the tour's comparison is run into its store."""
    d = tmp_path_factory.mktemp("explore-browser")
    store, log, port = d / "store", d / "server.log", free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "experiments.explore", str(store), "--port", str(port)],
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        comp = compare("tiny", "status_quo", list(CHOSEN), seeds=SEEDS, overrides=[f"days={DAYS}"], store=store)
        assert not comp.failed and len(comp.keys) == 6
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the explorer did not answer in 180 s:\n" + log.read_text()
            time.sleep(0.5)
        yield {"url": url, "port": port, "proc": proc, "log": log, "store": store}
    finally:
        proc.terminate()  # SIGTERM: the server stops and takes its drawing process with it
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # whatever of its session is left (it is the group's leader)
        except ProcessLookupError:
            pass
        proc.wait()


@pytest.fixture(scope="module")
def store(server):
    return server["store"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with chromium_without_chinese_fonts(tmp_path_factory.mktemp("explore-fonts")) as b:
        yield b


@pytest.fixture(scope="module")
def page(browser, server):
    """One reader's tab, kept through the tour (the pages share its selection); every request recorded."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    pg = context.new_page()
    pg.on("websocket", lambda ws: requests.append(ws.url))
    pg.requests = requests
    pg.set_default_timeout(60_000)
    pg.goto(server["url"])
    pg.locator(".show").wait_for()
    yield pg
    context.close()


# -- reading the page --------------------------------------------------------------------------------
def rows(pg, header: str) -> dict[str, list[str]]:
    """The rows of the report table whose column groups include ``header``: first cell -> cells' text."""
    table = pg.locator(".report table", has=pg.locator("th", has_text=header))
    assert table.count() == 1, header
    cells = table.evaluate("t => Array.from(t.querySelectorAll('tbody tr, tr')).map(r => "
                           "Array.from(r.children).map(c => c.innerText.trim()))")
    return {r[0]: r for r in cells if r}


def numbers(text: str) -> list[tuple[float, int]]:
    """The numbers of a cell as written (minus sign, no-break thousands): (value, decimals shown)."""
    out = []
    for m in re.finditer(r"[+−-]?\d[\d\u00a0 ,]*(?:\.(\d+))?", text):
        s = re.sub(r"[\u00a0 ,]", "", m.group(0).replace("−", "-"))
        out.append((float(s), len(m.group(1) or "")))
    return out


def close(shown: tuple[float, int], value: float) -> bool:
    v, decimals = shown
    return abs(v - value) <= 0.5 * 10.0**-decimals * (1 + 1e-9) + 1e-12


def own(runs: Runs, keys: dict, policy: str, outcome: str, baseline: str = "status_quo"):
    """Baseline mean, policy mean, paired effect and its 95 % half-width, from the store's summary of each run."""
    b = np.array([runs.summary(keys[(baseline, s)])[outcome] for s in range(SEEDS)], float)
    p = np.array([runs.summary(keys[(policy, s)])[outcome] for s in range(SEEDS)], float)
    d = p - b
    return b.mean(), p.mean(), d.mean(), stats.t.ppf(0.975, SEEDS - 1) * d.std(ddof=1) / math.sqrt(SEEDS)


def check_row(row: list[str], levels: list[float], effects: list[tuple[float, float]]) -> None:
    """A row of the effect table: Outcome, Better, a level per arm, then each policy's change [interval]."""
    n = len(levels)
    for cell, want in zip(row[2:2 + n], levels):
        assert close(numbers(cell)[0], want), (row, levels)
    for cell, (effect, half) in zip(row[2 + n:], effects):
        shown = numbers(cell)
        assert len(shown) == 3 and close(shown[0], effect), (cell, effect)
        assert close(shown[1], effect - half) and close(shown[2], effect + half), (cell, effect, half)


def shoot(pg, name: str, full: bool = False) -> Path:
    """A screenshot; ``full``: the whole report (the app scrolls inside its layout, so the window grows)."""
    path = SCREENS / f"{name}.png"
    if full:
        h = pg.evaluate("Math.ceil(document.querySelector('.report').getBoundingClientRect().bottom) + 40")
        pg.set_viewport_size({"width": 1400, "height": max(1000, h)})
        pg.wait_for_timeout(300)
    pg.screenshot(path=str(path))
    if full:
        pg.set_viewport_size({"width": 1400, "height": 1000})
    return path


def fonts_of(pg, selector: str) -> list[dict]:
    """The fonts Chromium drew the first element matching ``selector`` with."""
    cdp = pg.context.new_cdp_session(pg)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, selector
    out = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return out


def has_chinese(text: str) -> bool:
    return re.search("[\u4e00-\u9fff]", text) is not None


# -- the tour (in order: the pages share the tab's selection) ------------------------------------------
def test_compare_two_chosen_policies_shows_the_stores_numbers(page, store):
    pg = page
    pg.get_by_label("Days simulated").fill(str(DAYS))
    pg.get_by_label("Paired seeds").fill(str(SEEDS))
    pg.locator(".policies").click()
    menu = pg.locator(".menuable__content__active")
    menu.get_by_text("Inner Mongolia reform", exact=True).click()  # ticked by default: untick it
    menu.get_by_text("Jinan model", exact=True).click()
    pg.keyboard.press("Escape")
    assert pg.locator(".policies").inner_text().count("model") == 2
    pg.locator(".show").click()
    pg.locator(".report table").first.wait_for(timeout=WAIT)

    assert pg.locator(".held").inner_text() == "6 of 6 runs are in the store."  # all from the store: none computed
    assert pg.locator(".report h1").inner_text() == "Policy report: Zhucheng model and Jinan model on Tiny test world"
    shoot(pg, "01-compare")
    shoot(pg, "01-compare-full", full=True)

    runs = Runs(Store(store))
    comp = compare("tiny", "status_quo", list(CHOSEN), seeds=SEEDS, overrides=[f"days={DAYS}"], store=runs)
    table = rows(pg, "Change from Status quo")
    order = ("zhucheng_model", "jinan_model")  # as chosen: the one kept first
    for outcome, name in (("satisfaction_mean", "Mean satisfaction"), ("satisfied_share", "Share of residents "
                                                                      "satisfied"),
                          ("resolution_days_mean", "Mean days to resolve")):
        got = [own(runs, comp.keys, p, outcome) for p in order]
        check_row(table[name], [got[0][0], *[g[1] for g in got]], [(g[2], g[3]) for g in got])
    cost = [own(runs, comp.keys, p, "cost_total_yuan") for p in order]  # shown in million yuan
    check_row(table["Total cost (million yuan)"], [cost[0][0] / 1e6, *[g[1] / 1e6 for g in cost]],
              [(g[2] / 1e6, g[3] / 1e6) for g in cost])


def test_levers_a_changed_lever_shows_its_effect(page, store):
    from playwright.sync_api import expect

    pg = page
    pg.locator(".nav-levers").click()
    field = pg.locator(f'[class~="lever-{LEVER}"] input')
    field.wait_for()
    assert field.input_value() == "0"  # Zhucheng: each community one grid
    field.fill(VALUE)
    expect(pg.locator(".v-card", has_text="Your changes")).to_contain_text(f"Grid management: Grids of about {VALUE}")
    before = len(list((store / "runs").iterdir()))
    pg.locator(".effect").click()
    pg.locator(".report table").first.wait_for(timeout=WAIT)
    pg.locator(".held", has_text="6 of 6").wait_for(timeout=WAIT)
    shoot(pg, "02-levers-effect")
    shoot(pg, "02-levers-effect-full", full=True)

    made = len(list((store / "runs").iterdir())) - before
    assert made == SEEDS  # the changed policy's two runs, computed by the server into its store
    runs = Runs(Store(store))
    comp = compare("tiny", "status_quo", ["zhucheng_model", VARIANT], seeds=SEEDS, overrides=[f"days={DAYS}"],
                   store=runs)
    assert len(list((store / "runs").iterdir())) - before == SEEDS  # compare found them: the same runs
    table = rows(pg, "Change from Status quo")
    got = [own(runs, comp.keys, p, "satisfaction_mean") for p in ("zhucheng_model", VARIANT)]
    check_row(table["Mean satisfaction"], [got[0][0], got[0][1], got[1][1]], [(g[2], g[3]) for g in got])
    assert got[0][2] != got[1][2]  # the lever changes the effect, so the columns tell them apart


def test_levers_a_bad_value_is_the_doors_one_line(page):
    pg = page
    field = pg.locator(f'[class~="lever-{LEVER}"] input')
    field.fill("-5")
    pg.locator(".effect").click()
    door = pg.locator(".door")
    door.wait_for()
    text = door.inner_text().strip()
    assert text == f"policy.{LEVER}=-5: must be at least 0"
    assert door.evaluate("e => e.getBoundingClientRect().height") < 80  # one line on the page, too
    assert pg.locator(".report").count() == 0  # the refused change shows no effect
    shoot(pg, "03-levers-door")
    field.fill(VALUE)


def test_language_switch_shows_chinese_drawn_by_the_pages_font(page):
    pg = page
    custom = [f for f in fonts_of(pg, ".lang .v-btn:last-child .v-btn__content") if f["isCustomFont"]]
    assert custom and custom[0]["familyName"].startswith("Noto Sans CJK SC"), custom  # 中文 before switching
    pg.locator(".lang").get_by_text("中文").click()
    pg.locator(".nav-compare", has_text="比较").wait_for()
    assert pg.locator(".effect").inner_text() == "显示效果"
    pg.locator(".nav-compare").click()
    pg.wait_for_function("() => { const h = document.querySelector('.report h1');"
                         " return h && /[\\u4e00-\\u9fff]/.test(h.innerText); }", timeout=WAIT)
    heading = pg.locator(".report h1").inner_text()
    assert has_chinese(heading) and "诸城模式" in heading, heading
    assert has_chinese(pg.locator(".held").inner_text())
    fonts = fonts_of(pg, ".report h1")
    assert fonts and all(f["isCustomFont"] for f in fonts), fonts  # no system font drew the Chinese
    shoot(pg, "04-compare-zh")


def test_live_run_in_chinese_names_its_menus_and_steps(page):
    """The Live page in Chinese: its menus show the world and policy by name (no raw key), the page says what
    Mesa's English controls do, and STEP runs a day (Mesa's Time goes on by one)."""
    pg = page
    pg.locator(".nav-live").click()
    step = pg.get_by_role("button", name="Step")
    step.wait_for(timeout=WAIT)
    pg.get_by_text("小型测试区域").first.wait_for()
    assert pg.get_by_text("现状", exact=True).count() >= 1
    assert pg.get_by_text("status_quo", exact=True).count() == 0 and pg.get_by_text("tiny", exact=True).count() == 0
    assert "STEP运行一天" in pg.locator("body").inner_text()

    def time_shown() -> float:
        return float(re.search(r"Time:\s*([\d.]+)", pg.locator("body").inner_text()).group(1))

    before = time_shown()
    step.click()
    pg.wait_for_function(f"() => /Time:\\s*{before + 1:g}(\\.0)?\\b/.test(document.body.innerText)", timeout=WAIT)
    pg.wait_for_timeout(3000)  # (for the screenshot: the map and chart redraw after Time)
    shoot(pg, "05-live-zh")
    pg.locator(".nav-compare").click()  # back where the tour goes on
    pg.locator(".report h1").wait_for(timeout=WAIT)


def test_export_is_one_self_contained_file(page, tmp_path):
    pg = page
    with pg.expect_download() as d:
        pg.get_by_text("导出本页（HTML）").click()
    path = tmp_path / d.value.suggested_filename
    d.value.save_as(path)
    assert d.value.suggested_filename == "explorer-tiny-zh.html"
    html = path.read_text()
    assert html.startswith("<!DOCTYPE html>") and "@font-face" in html and 'lang="zh-CN"' in html
    assert pg.locator(".report h1").inner_text() in html
    imgs = re.findall(r'<img[^>]*\ssrc="([^"]*)"', html)
    assert len(imgs) >= 3 and all(s.startswith("data:image/png;base64,") for s in imgs)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert all(u.startswith("data:") for u in re.findall(r"url\(([^)]{0,12})", html))
    assert "<script" not in html.lower() and "<link" not in html.lower()


# -- the server keeps to this machine --------------------------------------------------------------------
def test_every_request_went_to_the_server(page, server):
    netloc = f"127.0.0.1:{server['port']}"
    web = [u for u in page.requests if urlparse(u).scheme in ("http", "https", "ws", "wss")]
    assert len(web) > 10 and any(urlparse(u).scheme == "ws" for u in web)
    away = [u for u in page.requests if urlparse(u).scheme not in ("data", "blob") and urlparse(u).netloc != netloc]
    assert away == []


def listening(port: int) -> list[str]:
    """The local addresses of every socket listening on ``port`` (from /proc/net/tcp and tcp6), as hex."""
    out = []
    for f in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(f):
            continue
        for line in Path(f).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:  # 0A: LISTEN
                out.append(addr)
    return out


def test_the_server_listens_on_loopback_only(server):
    if not os.path.exists("/proc/net/tcp"):
        pytest.skip("no /proc/net/tcp to read the listening sockets from")
    assert listening(server["port"]) == ["0100007F"]  # 127.0.0.1, and nothing on 0.0.0.0 or ::
    try:
        import psutil
    except ImportError:
        return
    others = [a.address for addrs in psutil.net_if_addrs().values() for a in addrs
              if a.family == socket.AF_INET and not a.address.startswith("127.")]
    for ip in others:  # this machine's other addresses: nothing answers there
        with socket.socket() as s:
            s.settimeout(2)
            assert s.connect_ex((ip, server["port"])) != 0, ip


def group(pgid: int) -> list[int]:
    """The live (not yet reaped or zombie) processes of process group ``pgid``, from /proc."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[2]) == pgid and stat[0] != "Z":
                out.append(int(d.name))
    return out


def test_stopping_the_server_ends_its_processes(server):
    """Last: SIGTERM (what kill and service managers send) stops the server and its drawing process."""
    if not os.path.exists("/proc/self/stat"):
        pytest.skip("no /proc to list the server's processes")
    proc = server["proc"]
    assert len(group(proc.pid)) >= 2  # the server and the process that draws its pages
    proc.terminate()
    assert proc.wait(30) == 0, server["log"].read_text()
    # the tour's pages were served without a warning for the reader (Solara's on cookies over http included)
    assert "Warning" not in server["log"].read_text(), server["log"].read_text()
    deadline = time.monotonic() + 10
    while group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert group(proc.pid) == []
