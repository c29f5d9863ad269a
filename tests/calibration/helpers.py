"""Small records and scenarios for the calibration tests, written in a few lines each."""

from __future__ import annotations

import csv
from pathlib import Path

from calibration.record import EVENT_COLUMNS, GROUP_COLUMNS, load_record
from tests.factory import group, scenario

SOURCE = "https://example.org/report"


def write_record(folder: Path, events: list[tuple], groups: list[tuple]) -> Path:
    """Write ``events.csv`` and ``groups.csv`` into ``folder``.

    ``events``: ``(event_id, date, event_type, actor, target)`` or with a precision as 6th item.
    ``groups``: ``(name, aliases)``; every other column gets a plausible value.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "groups.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(GROUP_COLUMNS)
        for name, aliases in groups:
            w.writerow([name, aliases, "", "", "islamist", "0.5", "", "", "", SOURCE])
    with open(folder / "events.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(EVENT_COLUMNS)
        for ev in events:
            eid, date, etype, actor, target = ev[:5]
            precision = ev[5] if len(ev) > 5 else "day"
            w.writerow([eid, date, precision, etype, actor, target, "what happened", SOURCE, "t"])
    return folder


GROUPS = [("Alpha", "A;Alpha Front"), ("Bravo", "B"), ("Charlie", ""), ("Union", "")]

# Ten earlier events over two years (2018-2019) give the null model its base rates; four in 2020.
EARLIER = [
    (f"E{k:02d}", f"{2018 + k // 6}-{1 + 2 * (k % 6):02d}-05", etype, "Alpha", other)
    for k, (etype, other) in enumerate(
        [("fight", "Bravo"), ("truce", "Bravo"), ("fight", "Charlie"), ("truce", "Charlie")] * 3
    )
]
WINDOW = [
    ("E20", "2020-02-10", "fight", "Alpha", "Bravo"),
    ("E21", "2020-03-05", "truce", "Bravo", "Alpha"),
    ("E22", "2020-05-01", "merge", "Union", "Alpha;Charlie"),
    ("E23", "2020-08-01", "defect", "Charlie", "Union"),
]


def small_record(folder: Path, events: list[tuple] | None = None):
    """The small record (12 earlier events, 4 in 2020) loaded from ``folder``."""
    write_record(folder, events if events is not None else EARLIER + WINDOW, GROUPS)
    return load_record(folder / "events.csv")


def small_scenario():
    """Three groups; a coalition formed around Alpha is called "Union"."""
    return scenario(
        [
            group("Alpha", 2000, 0.7, coalition_name="Union"),
            group("Bravo", 1000, 0.3),
            group("Charlie", 500, 0.6),
        ],
        start="2020-01-01",
        end="2020-12-31",
    )


ROOT = Path(__file__).resolve().parents[2]
