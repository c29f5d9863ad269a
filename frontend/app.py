"""The Solara app: three pages (Simulate, Ensemble, Sweeps and calibration) under one layout.

Serve it with ``coalsim app`` (:mod:`frontend.cli`), which passes the allowed scenario folder
and result folders in environment variables (:mod:`frontend.config`), or directly with
``solara run frontend.app``. Each browser tab gets its own virtual kernel and so its own state.
"""

from __future__ import annotations

import solara

from frontend.pages.ensemble import EnsemblePage
from frontend.pages.results import ResultsPage
from frontend.pages.simulate import SimulatePage

TITLE = "coalsim"


@solara.component
def Layout(children=None):
    """App bar with the page tabs, then the page."""
    route, all_routes = solara.use_route()
    router = solara.use_router()
    paths = [solara.resolve_path(r, level=0) for r in all_routes]
    index = all_routes.index(route) if route in all_routes else 0
    solara.Title(TITLE)
    with solara.AppLayout(title=TITLE, navigation=True) as main:
        with (
            solara.AppBar(),
            solara.lab.Tabs(value=index, on_value=lambda k: router.push(paths[k]), align="center"),
        ):
            for r in all_routes:
                solara.lab.Tab(r.label, classes=[f"coalsim-tab-{r.path.strip('/') or 'simulate'}"])
        with solara.Column():
            with solara.AppBarTitle():  # a portal: shown in the app bar, not as a sidebar
                solara.Text(TITLE)
            solara.Column(children=list(children or []))
    return main


routes = [
    solara.Route(path="/", component=SimulatePage, label="Simulate", layout=Layout),
    solara.Route(path="ensemble", component=EnsemblePage, label="Ensemble"),
    solara.Route(path="results", component=ResultsPage, label="Sweeps and calibration"),
]
