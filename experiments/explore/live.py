"""The live run: one run of the model, day by day, in Mesa's own ``SolaraViz``.

:class:`LiveModel` is the governance model as SolaraViz builds it (keyword parameters, rebuilt on
Reset): it goes through the door like every run, warms up first, stops after its days, and keeps a
``satisfaction`` property layer on the grid beside the model's ``coverage`` layer.  The map draws the
chosen layer cell by cell with the service points; the chart draws the model's DataCollector series
of the measured days, labelled in the page's language (as are the menus; Mesa's own controls stay
in English, and the page says what they do).
"""

from __future__ import annotations

import itertools

import numpy as np
import solara
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from experiments import style
from experiments.explore.text import t
from experiments.labels import label
from sim.config.load import load, options
from sim.model import GovernanceModel

COLOURS = ("satisfaction", "coverage")
LAYER = {"satisfaction": "satisfaction", "coverage": "coverage"}
CHARTS = ("satisfaction_mean", "on_time_share_today")


SEEDS = tuple(range(21))
_BUILT = itertools.count()
DAYS = (30, 90, 180, 365, 730)


def _names(keys, lang: str, name=label) -> dict[str, str]:
    """What a menu shows for each key, in ``lang``."""
    return {k: name(k, lang) for k in keys}


def _key(value: str, keys, name=label) -> str:
    """The key a menu's entry stands for, in either language (SolaraViz hands over what the menu shows)."""
    for k in keys:
        if value in (k, name(k, "en"), name(k, "zh")):
            return k
    return value  # not a menu's entry: the door names it


class LiveModel(GovernanceModel):
    """The model as SolaraViz makes it: ``LiveModel(world="tiny", policy="im_reform", seed=1)``; world, policy
    and colour by key or by the name a menu shows."""

    def __init__(self, world: str = "tiny", policy: str = "status_quo", seed: int = 1, days: int = 365,
                 colour: str = "satisfaction"):
        world, policy = _key(world, options("world")), _key(policy, options("policy"))
        cfg, _ = load([f"world={world}", f"policy={policy}", f"seed={int(seed)}", f"days={int(days)}"])
        super().__init__(cfg)
        colour = _key(colour, COLOURS, t)
        self.colour = colour if colour in COLOURS else COLOURS[0]
        self.built = next(_BUILT)  # which model this is, for the pictures drawn of it (an id() may be reused)
        self.space.create_property_layer("satisfaction", 0.0, dtype=float)  # filled (NaN where nobody lives) below
        self.warm_up()
        self._layer()

    def step(self) -> None:
        if self.day >= self.cfg.days:
            self.running = False
            return
        super().step()
        self._layer()

    def _layer(self) -> None:
        """Mean satisfaction of each cell's households (NaN where nobody lives)."""
        res, geo = self.residents, self.geo
        n = geo.nx * geo.ny
        hh = np.bincount(res.cell, minlength=n)
        s = np.bincount(res.cell, weights=res.satisfaction, minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.space.satisfaction.data = np.where(hh > 0, s / np.maximum(hh, 1), np.nan).reshape(geo.nx, geo.ny)


def draw_map(model: LiveModel, lang: str = "en") -> Figure:
    """The chosen layer cell by cell, empty cells blank, service centres and other points marked."""
    style.setup()
    fig = Figure(figsize=(5.2, 4.4), layout="constrained")
    ax = fig.add_subplot()
    layer = getattr(model.space, LAYER[model.colour]).data.astype(float).copy()
    layer[model.space.population.data == 0] = np.nan
    km = model.geo.cell_km
    img = ax.imshow(layer.T, origin="lower", extent=(0, model.geo.nx * km, 0, model.geo.ny * km),
                    cmap="viridis" if model.colour == "satisfaction" else "Blues", vmin=0, vmax=1)
    org = model.org
    xy, centre = org.point_xy, org.point_is_centre.astype(bool)
    ax.scatter(xy[centre, 0], xy[centre, 1], marker="^", s=30, facecolor="none", edgecolor="#d1495b", lw=1,
               label=label("service_centre", lang))
    if (~centre).any():
        ax.scatter(xy[~centre, 0], xy[~centre, 1], marker="o", s=10, facecolor="none", edgecolor="#d1495b", lw=0.7,
                   label=label("service_point", lang))
    name = label("satisfaction_mean" if model.colour == "satisfaction" else "coverage_spatial", lang)
    sep = "：" if lang == "zh" else ", "
    ax.set_title(f"{name}{sep}{t('day_now', lang, d=max(model.day, 0))}", fontsize=9)
    ax.set_xlabel(label("x_km", lang))
    ax.set_ylabel(label("y_km", lang))
    ax.grid(False)
    fig.colorbar(img, ax=ax, shrink=0.8)
    fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=7)
    return fig


def make_map(lang: str):
    @solara.component
    def GridMap(model):
        from mesa.visualization.utils import update_counter

        update_counter.get()  # redraw on every step
        # (RESET makes a new model at the same day as the last one: the image is that model's)
        solara.FigureMatplotlib(draw_map(model, lang), format="png", dependencies=[model.built, model.t, model.colour])

    return GridMap


def draw_chart(model: LiveModel, lang: str = "en") -> Figure:
    """The daily series of the measured days so far (the warm-up is not measured)."""
    style.setup()
    fig = Figure(figsize=(5.2, 4.4), layout="constrained")
    ax = fig.add_subplot()
    df = model.datacollector.get_model_vars_dataframe()
    for i, col in enumerate(CHARTS):
        # day d of the series is the (d + 1)-th measured day, as the map counts the days run
        ax.plot(np.arange(1, len(df) + 1), df[col].to_numpy(float) if len(df) else [], color=style.COLORS[i],
                lw=1.2, label=style.wrap(label(col, lang), 40))
    ax.set_ylim(0, 1)
    ax.set_xlim(1, max(len(df), 2))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(label("day", lang))
    ax.set_title(t("live_chart", lang), fontsize=9)
    if not len(df):
        ax.text(0.5, 0.5, t("live_none", lang), ha="center", va="center", transform=ax.transAxes, fontsize=8)
    fig.legend(loc="outside lower center", ncols=1, frameon=False, fontsize=7)
    return fig


def make_chart(lang: str):
    @solara.component
    def DailyChart(model):
        from mesa.visualization.utils import update_counter

        update_counter.get()
        solara.FigureMatplotlib(draw_chart(model, lang), format="png", dependencies=[model.built, model.t])

    return DailyChart


def model_params(lang: str) -> dict:
    """SolaraViz's inputs: world, policy, seed, days and the layer the grid shows, each menu in ``lang`` (seed and
    days as menus, which show their value, where a slider shows none)."""
    worlds, pols = _names(options("world"), lang), _names(options("policy"), lang)
    colours = _names(COLOURS, lang, t)
    return {
        "world": {"type": "Select", "value": worlds["tiny"], "values": list(worlds.values()),
                  "label": t("world", lang)},
        "policy": {"type": "Select", "value": pols["status_quo"], "values": list(pols.values()),
                   "label": t("policy", lang)},
        "seed": {"type": "Select", "value": "1", "values": [str(s) for s in SEEDS], "label": t("seed", lang)},
        "days": {"type": "Select", "value": "365", "values": [str(d) for d in DAYS], "label": t("days", lang)},
        "colour": {"type": "Select", "value": colours["satisfaction"], "values": list(colours.values()),
                   "label": t("colour", lang)},
    }


@solara.component
def LivePage(lang: str = "en"):
    """Mesa's SolaraViz of one run, with the map and the daily charts."""
    from mesa.visualization import SolaraViz

    model = solara.use_memo(lambda: LiveModel(), [])
    solara.Markdown(t("live_p", lang))
    # SolaraViz puts its name in the app bar, over the explorer's own title: the same words, so they read as one
    SolaraViz(model, components=[make_map(lang), make_chart(lang)], model_params=model_params(lang),
              name=t("app", lang), play_interval=150)
