"""The Sweeps and calibration page: plots and reports of a result folder.

Lists the folders with plots (``*.png``), reports (``*.md``) or databases (``*.db``,
``*.sqlite``) inside the result folders the server was started with (``coalsim app --folder``,
see :mod:`frontend.config`): sweep outputs (sensitivity, scenario discovery) and calibration
runs (posterior plots written beside the database). The browser picks a folder by its label;
the server maps the label back to a path and checks it is inside a configured root before
reading anything. Markdown reports are shown with image links replaced by a note (the plots
are shown below them). Only reads files.
"""

from __future__ import annotations

import re
from pathlib import Path

import solara

from frontend import config

MAX_REPORT_BYTES = 500_000
_IMAGE_LINK = re.compile(r"!\[([^\]]*)\]\(([^)]*)\)")


def report_text(path: Path) -> str:
    """A Markdown report, capped in size, with image links turned into notes."""
    data = path.read_bytes()[:MAX_REPORT_BYTES]
    text = data.decode("utf-8", errors="replace")
    return _IMAGE_LINK.sub(
        lambda m: f"*(plot {Path(m.group(2)).name}: shown with the plots)*", text
    )


def human_size(n: int) -> str:
    """``1234567`` -> ``"1.2 MB"``."""
    size = float(n)
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} bytes"


@solara.component
def FolderView(label: str):
    """Reports, plots and databases of the listed folder ``label``."""
    try:
        folder = config.find_result_folder(label)
        contents = config.folder_contents(folder)
    except (config.PathNotAllowed, OSError) as exc:
        solara.Error(f"Cannot open {label}: {exc}")
        return
    solara.Text(
        f"{folder.path}: {len(contents.plots)} plots, {len(contents.reports)} reports, "
        f"{len(contents.databases)} databases",
        classes=["coalsim-folder-summary"],
        style={"font-size": "12px", "color": "#424242"},
    )
    for db in contents.databases:
        solara.Info(
            f"Calibration database {db.name} ({human_size(db.stat().st_size)}); its plots are "
            "the PNG files of this folder.",
            dense=True,
        )
    with solara.Row(style={"flex-wrap": "wrap"}):
        for plot in contents.plots:
            with solara.Card(plot.name, classes=["coalsim-plot"], style={"max-width": "640px"}):
                size = plot.stat().st_size
                if size > config.MAX_IMAGE_BYTES:
                    solara.Text(f"too large to show ({human_size(size)})")
                else:
                    solara.Image(plot.read_bytes(), width="100%")
    for rep in contents.reports:
        with solara.Card(rep.name, classes=["coalsim-report"]):
            solara.Markdown(report_text(rep))


@solara.component
def ResultsPage():
    """The Sweeps and calibration page."""
    refresh, set_refresh = solara.use_state(0)
    folders = solara.use_memo(config.list_result_folders, [refresh])
    labels = [f.label for f in folders]
    selected, set_selected = solara.use_state(labels[0] if labels else None)
    if selected not in labels:
        selected = labels[0] if labels else None
    roots = config.result_roots()
    with solara.Column(classes=["coalsim-results"]):
        solara.Markdown(
            "Plots and reports of sweeps (`coalsim sweep` / `coalsim analyze`: sensitivity, "
            "scenario discovery) and calibrations (posterior plots beside the database)."
        )
        if not roots:
            solara.Warning(
                "No result folder: start the app with `coalsim app --folder DIR` (repeatable), "
                "or create `out/` before starting it."
            )
            return
        solara.Text(
            "Result folders: " + ", ".join(str(r) for r in roots),
            style={"font-size": "12px", "color": "#616161"},
        )
        with solara.Row(style={"align-items": "center"}):
            solara.Select(
                "Folder",
                values=labels,
                value=selected,
                on_value=set_selected,
                classes=["coalsim-folder-select"],
            )
            solara.Button("Refresh", on_click=lambda: set_refresh(refresh + 1), text=True)
        if not labels:
            solara.Info("No plots, reports or databases found in the result folders yet.")
            return
        if selected:
            FolderView(selected)
