"""The explorer's pages (Solara): Compare, Levers and Live run, in English or Chinese.

The store is the one the command was given (``EXPLORE_STORE``, set by :mod:`experiments.explore.serve`);
nothing on a page names a file.  Every choice is a name from the configs or a value that goes
through the model's door, whose one-line message is shown when it refuses.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import solara

from experiments.explore import data
from experiments.explore.text import t
from experiments.explore.worker import Worker
from experiments.fontembed import FAMILY, font_face
from experiments.labels import label
from experiments.levers_text import choice, describe, lever_fields
from experiments.levers_text import name as setting_name
from experiments.report_render import CSS, html_block
from experiments.sources import Runs
from experiments.store import Store
from sim.config.load import load, options
from sim.config.policy import LEVERS
from sim.config.validate import ConfigError

ENV_STORE = "EXPLORE_STORE"
LANG = solara.reactive("en")


@functools.cache
def runs() -> Runs:
    """The one store of this server: read from and written to, nothing else."""
    return Runs(Store(os.environ.get(ENV_STORE, "results/store")))


@functools.cache
def worker() -> Worker:
    return Worker(runs())


# -- text, fonts and the report's look ---------------------------------------------------------------
@functools.cache
def page_chars() -> str:
    """Every character beyond ASCII that the experiment tools' code holds: the catalogues, the report's sentences
    and their punctuation (a review found 「」 and 噪声 blank when only the catalogues counted)."""
    here = Path(__file__).resolve().parents[1]
    return "".join(sorted({c for f in here.rglob("*.py") for c in f.read_text(encoding="utf-8") if ord(c) > 127}))


@functools.cache
def page_font() -> str:
    """``@font-face`` with :func:`page_chars`: Chinese needs no system font."""
    return font_face(page_chars())  # (with fontembed.BASE: ASCII, the no-break space, signs)


def scoped_css() -> str:
    """The report's CSS, each rule limited to the page's report area."""
    rules = [r for r in CSS.split("}") if r.strip()]
    out = []
    for r in rules:
        sel, body = r.split("{", 1)
        sel = ",".join(".report" if s.strip() == "body" else f".report {s.strip()}" for s in sel.split(","))
        out.append(f"{sel}{{{body}}}")
    return "".join(out).replace(".report{", ".report{margin:0 !important;")


def styles(lang: str) -> None:
    css = page_font() + scoped_css()  # the font always: the language switch itself reads 中文
    # and the switch uses it after Roboto, or a machine without a Chinese font shows two empty boxes for 中文
    css += f".lang .v-btn{{font-family:Roboto,'{FAMILY}',sans-serif !important}}"
    # Solara unsets every code element's background (!important): the report's `tiny` read as "( tiny )"
    css += ".v-application .report code{background-color:#f4f4f4 !important;font-size:.85em !important}"
    if lang == "zh":  # Solara's Markdown sets a font of its own (jp-RenderedHTMLCommon): it is named too
        css += (f".v-application,.v-application .v-btn,.v-application .v-label,"
                                   f".v-application input,.v-list-item__title,.v-application .solara-markdown,"
                                   f".v-application .solara-markdown p{{font-family:'{FAMILY}',"
                                   "Roboto,sans-serif !important}")
    solara.Style(css)


def names(keys, lang: str) -> dict[str, str]:
    """Display name -> key, for selects that show names and mean keys."""
    return {label(k, lang): k for k in keys}


def named_policies() -> list[str]:
    return options("policy")


# -- pages' shared state ----------------------------------------------------------------------------
SELECTION = solara.reactive(data.Selection(policies=("im_reform", "zhucheng_model")))
SHOWN: solara.Reactive[data.Selection | None] = solara.reactive(None)
CHANGES = solara.reactive({})  # lever key -> value as typed
LEVER_POLICY = solara.reactive("zhucheng_model")
LEVER_SHOWN: solara.Reactive[data.Selection | None] = solara.reactive(None)

_BLOCKS: dict = {}  # (selection, seeds, lang, part) -> blocks: a run's key fixes its numbers
_BLOCKS_LOCK = threading.Lock()


@functools.cache
def drawer() -> ProcessPoolExecutor:
    """One process that draws the tables and figures.

    A fresh interpreter (spawned, not forked): inside the server Solara makes matplotlib's settings
    per browser session, which makes drawing a page several times slower.
    """
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


def blocks_for(sel: data.Selection, comp, lang: str, part: str) -> list[tuple]:
    """The blocks of a page, drawn once per selection, seeds and language (two pages asking wait for one)."""
    key = (sel, tuple(comp.seeds), lang, part)
    with _BLOCKS_LOCK:  # one drawing at a time: the machine is shared, and a second asker gets the first's
        if key not in _BLOCKS:
            robust = data.robust_ranges(runs().root, sel.world, sel.baseline)[0] if part == "compare" else {}
            made = drawer().submit(data.draw, comp, lang, part, robust).result()
            if len(_BLOCKS) > 32:
                _BLOCKS.clear()
            _BLOCKS[key] = made
        return _BLOCKS[key]


# -- the comparison view: stored runs at once, missing ones computed, progress shown --------------------
@solara.component
def ComparisonView(sel: data.Selection, lang: str, part: str = "compare"):
    version, set_version = solara.use_state(0)
    progress, set_progress = solara.use_state((0, 0, ()))

    def start():
        ticket = worker().submit(data.missing(runs(), data.plan(sel)))
        while not ticket.finished.wait(0.4):
            set_progress((ticket.done, ticket.total, tuple(ticket.failed)))
        set_progress((ticket.done, ticket.total, tuple(ticket.failed)))
        if ticket.total:  # new runs: draw again with them
            set_version(lambda v: v + 1)

    solara.use_thread(start, dependencies=[sel])

    def build():
        comp, held, needed = data.comparison(sel, runs())
        if len(comp.seeds) < 2:
            return comp, held, needed, None
        return comp, held, needed, blocks_for(sel, comp, lang, part)

    result = solara.use_thread(build, dependencies=[sel, version, lang])
    done, total, failed = progress
    if total and done < total:
        solara.Info(t("computing", lang, n=done, m=total))
        solara.ProgressLinear(value=100 * done / total)
    if failed:
        solara.Error(t("failed", lang, n=len(failed), why=failed[0][1]))
    if result.state == solara.ResultState.RUNNING or result.value is None:
        if result.error:
            solara.Error(str(result.error).splitlines()[0])
        else:
            solara.Info(t("drawing", lang))
            solara.ProgressLinear(True)
        return
    comp, held, needed, blocks = result.value
    solara.Text(t("held", lang, n=held, m=needed), classes=["held"])
    if blocks is None:
        solara.Info(t("need_two", lang))
        return
    if len(comp.seeds) < sel.seeds:
        solara.Warning(t("partial", lang, n=len(comp.seeds)))
    if part == "compare":
        solara.FileDownload(lambda: data.export_html(blocks, lang), filename=f"explorer-{sel.world}-{lang}.html",
                            label=t("export", lang), mime_type="text/html")
    solara.HTML(tag="div", unsafe_innerHTML="".join(html_block(b) for b in blocks), classes=["report"])


# -- Compare --------------------------------------------------------------------------------------
@solara.component
def SelectionForm(lang: str):
    sel = SELECTION.value
    worlds = names(options("world"), lang)
    pols = names(named_policies(), lang)
    scale, set_scale = solara.use_state(f"{sel.scale:g}")
    days, set_days = solara.use_state(str(sel.days))
    seeds, set_seeds = solara.use_state(str(sel.seeds))
    error, set_error = solara.use_state("")

    def show():
        try:
            new = data.Selection(sel.world, float(data.parse_number("world.scale", scale, float, 0.0001, 1)),
                                 data.parse_number("days", days, int, 1, 3650),
                                 data.parse_number("seeds", seeds, int, 2, data.MAX_SEEDS),
                                 sel.baseline, sel.policies)
            data.check(new)
        except ConfigError as e:
            set_error(str(e))
            return
        set_error("")
        SELECTION.value = new
        SHOWN.value = new

    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        solara.Select(t("world", lang), value=label(sel.world, lang), values=list(worlds),
                      on_value=lambda v: SELECTION.set(replace(SELECTION.value, world=worlds[v])),
                      style={"min-width": "14em"})
        solara.InputText(t("scale", lang), value=scale, on_value=set_scale, continuous_update=True)
        solara.InputText(t("days", lang), value=days, on_value=set_days, continuous_update=True)
        solara.InputText(t("seeds", lang), value=seeds, on_value=set_seeds, continuous_update=True)
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        solara.Select(t("baseline", lang), value=label(sel.baseline, lang), values=list(pols),
                      on_value=lambda v: SELECTION.set(replace(SELECTION.value, baseline=pols[v])),
                      style={"min-width": "14em"})
        shown = [label(p, lang) for p in sel.policies if label(p, lang) in pols]
        others = [n for n in pols if pols[n] != sel.baseline]
        solara.SelectMultiple(t("policies", lang), values=shown, all_values=others,
                              on_value=lambda vs: SELECTION.set(SELECTION.value.with_policies(pols[v] for v in vs)),
                              style={"min-width": "28em"}, classes=["policies"])
        solara.Button(t("show", lang), color="primary", on_click=show, classes=["show"])
    if error:
        solara.Error(t("door", lang, why=error), classes=["door"])


@solara.component
def ComparePage():
    lang = LANG.value
    styles(lang)
    SelectionForm(lang)
    if SHOWN.value is None:
        solara.Info(t("choose", lang))
    else:
        ComparisonView(SHOWN.value, lang, "compare")


# -- Levers ---------------------------------------------------------------------------------------
def lever_meta(lever: str) -> list[tuple[str, dict, type]]:
    """(key, the schema's metadata, type of the default) for every setting of a lever but its start day."""
    import dataclasses
    import typing

    from sim.config.policy import PolicyConfig

    cls = typing.get_type_hints(PolicyConfig)[lever]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    out = []
    for lv, name in lever_fields():
        if lv != lever or name == "start_day":
            continue
        f = fields[name]
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        out.append((f"{lever}.{name}", dict(f.metadata), type(default)))
    return out


def allowed(meta: dict, lang: str) -> str:
    lo, hi = meta.get("lo", meta.get("gt")), meta.get("hi")
    if lo is not None and hi is not None:
        return t("allowed", lang, what=t("between", lang, lo=f"{lo:g}", hi=f"{hi:g}"))
    if lo is not None:
        return t("allowed", lang, what=t("any_from", lang, lo=f"{lo:g}"))
    return ""


def override_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(map(str, value)) + "]"
    return str(value).strip()


@solara.component
def LeverInput(key: str, meta: dict, kind: type, current, lang: str):
    changes = CHANGES.value
    value = changes.get(key, current)

    def put(v):
        new = dict(CHANGES.value)
        if override_text(v) == override_text(current):
            new.pop(key, None)
        else:
            new[key] = v
        CHANGES.value = new

    text = setting_name(key, lang)
    if kind is bool:
        solara.Checkbox(label=text, value=bool(value), on_value=put)
    elif meta.get("choices") and kind in (str, list):
        # menus show each allowed value in words; what is put back is the value itself
        words = {c: choice(key, c, lang) for c in meta["choices"]}
        back = {w: c for c, w in words.items()}
        if kind is str:
            solara.Select(text, value=words.get(str(value), str(value)), values=list(words.values()),
                          on_value=lambda w: put(back.get(w, w)))
        else:
            solara.SelectMultiple(text, values=[words.get(v, v) for v in value], all_values=list(words.values()),
                                  on_value=lambda ws: put([back.get(w, w) for w in ws]))
    else:
        solara.InputText(f"{text} ({allowed(meta, lang)})" if allowed(meta, lang) else text,
                         value=str(value), on_value=put, continuous_update=True, classes=[f"lever-{key}"])


@solara.component
def LeversPage():
    lang = LANG.value
    styles(lang)
    base = SELECTION.value
    pols = names([p for p in named_policies() if p != base.baseline], lang)
    policy = LEVER_POLICY.value if LEVER_POLICY.value in pols.values() else next(iter(pols.values()))
    lever, set_lever = solara.use_state("grid_management")
    error, set_error = solara.use_state("")
    cfg = solara.use_memo(lambda: load([f"world={base.world}", f"policy={policy}"])[0], [base.world, policy])
    solara.Markdown(t("levers_p", lang))

    def pick_policy(v):
        LEVER_POLICY.value = pols[v]
        CHANGES.value = {}
        LEVER_SHOWN.value = None

    levers = names(LEVERS, lang)
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.Select(t("policy", lang), value=label(policy, lang), values=list(pols), on_value=pick_policy,
                      style={"min-width": "14em"})
        solara.Select(t("lever", lang), value=label(lever, lang), values=list(levers),
                      on_value=lambda v: set_lever(levers[v]), style={"min-width": "14em"})
    with solara.Card(label(lever, lang)):
        for key, meta, kind in lever_meta(lever):
            lv, field = key.split(".")
            LeverInput(key, meta, kind, getattr(getattr(cfg.policy, lv), field), lang)
    changes = CHANGES.value
    with solara.Card(t("changed", lang)):
        if not changes:
            solara.Text(t("none_changed", lang))
        for key, v in changes.items():
            try:
                solara.Text(f"{label(key.split('.')[0], lang)}: {describe(key, v, lang)}")
            except (KeyError, ValueError, TypeError):
                solara.Text(f"{key} = {override_text(v)}")

    def effect():
        spec = "+".join([policy, *[f"policy.{k}={override_text(v)}" for k, v in CHANGES.value.items()]])
        new = replace(base, baseline=base.baseline, policies=(policy, spec) if CHANGES.value else (policy,))
        try:
            data.check(new)
        except ConfigError as e:
            set_error(str(e))
            LEVER_SHOWN.value = None
            return
        set_error("")
        LEVER_SHOWN.value = new

    with solara.Row():
        solara.Button(t("effect", lang), color="primary", on_click=effect, classes=["effect"])
        solara.Button(t("reset", lang), on_click=lambda: (CHANGES.set({}), set_error("")), text=True)
    if error:
        solara.Error(t("door", lang, why=error), classes=["door"])
    if LEVER_SHOWN.value is not None:
        ComparisonView(LEVER_SHOWN.value, lang, "levers")


# -- Live run ---------------------------------------------------------------------------------------
@solara.component
def LiveRunPage():
    from experiments.explore.live import LivePage

    lang = LANG.value
    styles(lang)
    LivePage(lang)


# -- layout -----------------------------------------------------------------------------------------
LANGS = {"en": "English", "zh": "中文"}
PAGES = (("", "compare"), ("levers", "levers"), ("live", "live"))


@solara.component
def Layout(children=[]):  # noqa: B006  (Solara's signature for a layout)
    lang = LANG.value
    solara.Title(t("app", lang))
    route, _ = solara.use_route()
    with solara.AppLayout(title=t("app", lang), children=children, navigation=False) as main:
        with solara.AppBar():
            if route is None or route.path != "live":  # there Mesa's SolaraViz gives the title (as its name)
                solara.AppBarTitle(t("app", lang))
            for path, key in PAGES:
                with solara.Link(f"/{path}"):
                    solara.Button(t(key, lang), text=True, dark=True, classes=[f"nav-{key}"])
            solara.ToggleButtonsSingle(value=LANGS[lang], values=list(LANGS.values()),
                                       on_value=lambda v: LANG.set({n: k for k, n in LANGS.items()}[v]),
                                       classes=["lang"])
    return main


routes = [
    solara.Route(path="/", component=ComparePage, label="compare", layout=Layout),
    solara.Route(path="levers", component=LeversPage, label="levers"),
    solara.Route(path="live", component=LiveRunPage, label="live"),
]
