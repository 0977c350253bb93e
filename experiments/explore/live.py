"""The live run: one run of the model, day by day, in Mesa's own ``SolaraViz``.

:class:`LiveModel` is the governance model as SolaraViz builds it (keyword parameters, rebuilt on
Reset): it goes through the door like every run, warms up first, stops after its days, and keeps a
``satisfaction`` property layer on the grid beside the model's ``coverage`` layer.  The map draws the
chosen layer cell by cell with the service points; the charts are Mesa's plot components over the
model's DataCollector.
"""

from __future__ import annotations

import numpy as np
import solara
from matplotlib.figure import Figure

from experiments import style
from experiments.explore.text import t
from experiments.labels import label
from sim.config.load import load, options
from sim.model import GovernanceModel

COLOURS = ("satisfaction", "coverage")
LAYER = {"satisfaction": "satisfaction", "coverage": "coverage"}
CHARTS = ("satisfaction_mean", "on_time_share_today")


class LiveModel(GovernanceModel):
    """The model as SolaraViz makes it: ``LiveModel(world="tiny", policy="im_reform", seed=1)``."""

    def __init__(self, world: str = "tiny", policy: str = "status_quo", seed: int = 1, days: int = 365,
                 colour: str = "satisfaction"):
        cfg, _ = load([f"world={world}", f"policy={policy}", f"seed={int(seed)}", f"days={int(days)}"])
        super().__init__(cfg)
        self.colour = colour if colour in COLOURS else COLOURS[0]
        self.space.create_property_layer("satisfaction", np.nan, dtype=float)
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
        solara.FigureMatplotlib(draw_map(model, lang), format="png", dependencies=[model.t, model.colour])

    return GridMap


def model_params(lang: str) -> dict:
    """SolaraViz's inputs: world, policy, seed, days and the layer the grid shows."""
    return {
        "world": {"type": "Select", "value": "tiny", "values": options("world"), "label": t("world", lang)},
        "policy": {"type": "Select", "value": "status_quo", "values": options("policy"), "label": t("policy", lang)},
        "seed": {"type": "SliderInt", "value": 1, "min": 0, "max": 20, "step": 1, "label": t("seed", lang)},
        "days": {"type": "SliderInt", "value": 365, "min": 10, "max": 730, "step": 5, "label": t("days", lang)},
        "colour": {"type": "Select", "value": "satisfaction", "values": list(COLOURS), "label": t("colour", lang)},
    }


@solara.component
def LivePage(lang: str = "en"):
    """Mesa's SolaraViz of one run, with the map and the daily charts."""
    from mesa.visualization import SolaraViz, make_plot_component

    model = solara.use_memo(lambda: LiveModel(), [])
    solara.Markdown(t("live_p", lang))
    # SolaraViz puts its name in the app bar, over the explorer's own title: the same words, so they read as one
    SolaraViz(model, components=[make_map(lang), make_plot_component(list(CHARTS))], model_params=model_params(lang),
              name=t("app", lang), play_interval=150)
