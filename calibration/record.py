"""The historical record: loading, validating and resolving names of its two CSV tables.

A record is two CSV tables with fixed columns (``calibration/record/README.md`` describes the
shipped one, north-west Syria Dec 2016 - Dec 2020). :func:`load_record` reads them with the
:mod:`csv` module (no value is coerced behind the user's back), checks every row and returns a
:class:`Record` whose names are canonical: an event may name an actor by any alias listed in
``groups.csv``; the record keeps the group's own name.

Every problem found is reported at once, each with its row number (the first data row after the
header is row 1; the file's line is added when a quoted field spans several lines) and its
column, as a :class:`RecordError` -- a :class:`~sim.scenario.ScenarioError`, so the command line
prints it and exits with status 2.

This module only reads files; it never changes them and knows nothing about scenarios or the
model.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.eventlog import EVENT_TYPES
from sim.scenario import Problem, ScenarioError

RECORD_DIR = Path(__file__).resolve().parent / "record"
"""Folder of the shipped record (``events.csv``, ``groups.csv``, ``README.md``)."""

EVENT_COLUMNS = (
    "event_id",
    "date",
    "date_precision",
    "event_type",
    "actor",
    "target",
    "description",
    "source_url",
    "source_title",
)
GROUP_COLUMNS = (
    "group",
    "aliases",
    "founded",
    "ended",
    "ideology",
    "ideology_score",
    "strength_estimates",
    "patrons",
    "notes",
    "source_url",
)
PRECISIONS = ("day", "month")
IDEOLOGIES = ("salafi_jihadist", "islamist", "islamist_nationalist", "nationalist")
MULTI_TARGET = ("merge", "alliance")
"""Event types whose ``target`` may list several names separated by ``;``."""
OPTIONAL_TARGET = ("dissolve",)
"""Event types whose ``target`` may be blank."""
MAX_PROBLEMS = 50

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class RecordError(ScenarioError):
    """A record file that cannot be used; each problem names its row and column."""


@dataclass(frozen=True)
class Record:
    """A validated historical record.

    Attributes:
        events: One row per event, sorted by date then file order. Columns: ``row`` (data row
            number in the file), ``event_id``, ``date`` (datetime64), ``date_precision``,
            ``event_type``, ``actor`` (canonical name), ``targets`` (tuple of canonical names),
            ``target`` (the same joined by ``;``), ``description``, ``source_url``,
            ``source_title``.
        groups: One row per group. Columns: ``group``, ``aliases`` (tuple), ``founded`` and
            ``ended`` (datetime64 of the first day of a partial date, or NaT), ``ideology``,
            ``ideology_score`` (float, NaN when blank), ``strength_estimates``, ``patrons``,
            ``notes``, ``source_url``.
        aliases: Normalised name or alias -> canonical group name.
        source: Where the events came from (for messages).
    """

    events: pd.DataFrame
    groups: pd.DataFrame
    aliases: dict[str, str] = field(repr=False)
    source: str = "<record>"

    @property
    def names(self) -> list[str]:
        """Canonical group names, in file order."""
        return self.groups["group"].tolist()

    @property
    def start(self) -> dt.date:
        """Date of the first event."""
        return self.events["date"].min().date()

    @property
    def end(self) -> dt.date:
        """Date of the last event."""
        return self.events["date"].max().date()

    def resolve(self, name: str) -> str | None:
        """Canonical name of a group given by its name or any alias (``None`` if unknown)."""
        return self.aliases.get(normalise(name))

    def aliases_of(self, name: str) -> tuple[str, ...]:
        """Aliases of a canonical group name, as listed in ``groups.csv``."""
        row = self.groups.loc[self.groups["group"] == name, "aliases"]
        return tuple(row.iloc[0]) if len(row) else ()

    def founded(self, name: str) -> pd.Timestamp | None:
        """First day of a group's founding date, or ``None`` when not given."""
        row = self.groups.loc[self.groups["group"] == name, "founded"]
        return None if not len(row) or pd.isna(row.iloc[0]) else row.iloc[0]

    def between(self, start: dt.date, end: dt.date) -> pd.DataFrame:
        """Events dated in ``[start, end]`` (both included)."""
        d = self.events["date"]
        return self.events[(d >= pd.Timestamp(start)) & (d <= pd.Timestamp(end))]


# -- names -----------------------------------------------------------------------------------
def normalise(name: str) -> str:
    """Key for name matching: case-folded, typographic apostrophes unified, spaces collapsed."""
    text = str(name).replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return " ".join(text.casefold().split())


def split_names(text: str) -> list[str]:
    """Split ``a;b (x;y);c`` on the semicolons outside parentheses; blanks are dropped."""
    out, depth, cur = [], 0, []
    for ch in str(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch == ";" and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur).strip())
    return [x for x in out if x]


def alias_forms(alias: str) -> list[str]:
    """An alias and its bare forms: without a trailing ``(note)`` and without ``formerly``.

    ``"Liwa al-Aqsa (from 7 Feb 2017)"`` -> ``["Liwa al-Aqsa (from 7 Feb 2017)",
    "Liwa al-Aqsa"]``; ``"formerly al-Nusra Front"`` -> also ``"al-Nusra Front"``.
    """
    forms = [alias]
    bare = re.sub(r"\s*\([^()]*\)\s*$", "", alias).strip()
    bare = re.sub(r"^formerly\s+", "", bare, flags=re.IGNORECASE).strip()
    if bare and bare != alias:
        forms.append(bare)
    return forms


def parse_partial_date(text: str) -> tuple[pd.Timestamp | None, str | None]:
    """``"2011-12"`` -> (2011-12-01, None); ``""`` -> (None, None); bad -> (None, message)."""
    text = text.strip()
    if not text:
        return None, None
    m = _PARTIAL_DATE.match(text)
    if not m:
        return None, f"expected a date YYYY, YYYY-MM or YYYY-MM-DD, got {text!r}"
    y, mo, d = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        return pd.Timestamp(dt.date(y, mo, d)), None
    except ValueError:
        return None, f"expected a real calendar date, got {text!r}"


# -- reading ---------------------------------------------------------------------------------
def _read_csv(path: Path, columns: tuple[str, ...]) -> tuple[list[tuple[int, int, dict]], str]:
    """Rows of a CSV file as ``(row number, line number, mapping)``; checks the header."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RecordError(source, [Problem("", f"cannot read the file: {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise RecordError(source, [Problem("", "expected UTF-8 text")]) from None
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise RecordError(source, [Problem("header", "the file is empty")]) from None
    except csv.Error as exc:
        raise RecordError(source, [Problem("header", f"not valid CSV: {exc}")]) from None
    missing = [c for c in columns if c not in header]
    if missing:
        raise RecordError(
            source,
            [
                Problem(
                    "header", f"missing column(s) {', '.join(missing)}; expected {list(columns)}"
                )
            ],
        )
    rows = []
    n = 0
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            n += 1
            if len(values) != len(header):
                raise RecordError(
                    source,
                    [
                        Problem(
                            f"row {n} (line {reader.line_num})",
                            f"expected {len(header)} fields, got {len(values)} "
                            "(an unquoted comma?)",
                        )
                    ],
                )
            rows.append((n, reader.line_num, dict(zip(header, values, strict=True))))
    except csv.Error as exc:
        raise RecordError(
            source, [Problem(f"row {n + 1} (line {reader.line_num})", f"not valid CSV: {exc}")]
        ) from None
    return rows, source


def _where(n: int, line: int, column: str) -> str:
    # Row n is on line n + 1 unless a quoted field spans lines: then give the line too.
    return (
        f"row {n}, column {column}" if line == n + 1 else f"row {n} (line {line}), column {column}"
    )


def _load_groups(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    rows, source = _read_csv(path, GROUP_COLUMNS)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    records = []
    for n, line, r in rows:
        name = r["group"].strip()
        if not name:
            problems.append(Problem(_where(n, line, "group"), "expected a group name"))
            continue
        if normalise(name) in seen:
            problems.append(
                Problem(
                    _where(n, line, "group"),
                    f"duplicate group {name!r} (row {seen[normalise(name)]})",
                )
            )
            continue
        seen[normalise(name)] = n
        dates = {}
        for col in ("founded", "ended"):
            dates[col], why = parse_partial_date(r[col])
            if why:
                problems.append(Problem(_where(n, line, col), why))
        founded, ended = dates["founded"], dates["ended"]
        if founded is not None and ended is not None and ended < founded:
            problems.append(
                Problem(_where(n, line, "ended"), "expected a date on or after 'founded'")
            )
        ideology = r["ideology"].strip()
        if ideology and ideology not in IDEOLOGIES:
            problems.append(
                Problem(
                    _where(n, line, "ideology"), f"expected one of {IDEOLOGIES}, got {ideology!r}"
                )
            )
        score = float("nan")
        if r["ideology_score"].strip():
            try:
                score = float(r["ideology_score"])
            except ValueError:
                score = -1.0
            if not 0.0 <= score <= 1.0:
                problems.append(
                    Problem(
                        _where(n, line, "ideology_score"),
                        f"expected a number in [0, 1], got {r['ideology_score']!r}",
                    )
                )
        if not r["source_url"].strip():
            problems.append(
                Problem(_where(n, line, "source_url"), "expected the address of a source")
            )
        records.append(
            {
                "row": n,
                "line": line,
                "group": name,
                "aliases": tuple(split_names(r["aliases"])),
                "founded": dates["founded"],
                "ended": dates["ended"],
                "ideology": ideology,
                "ideology_score": score,
                "strength_estimates": r["strength_estimates"],
                "patrons": r["patrons"],
                "notes": r["notes"],
                "source_url": r["source_url"].strip(),
            }
        )
    # Aliases: a written alias must not be another group's name or another group's alias;
    # the bare forms of aliases ("Liwa al-Aqsa" from "Liwa al-Aqsa (from 7 Feb 2017)") are
    # registered only when they are unambiguous.
    names = {normalise(g["group"]): g["group"] for g in records}
    table = dict(names)
    owner: dict[str, str] = {}
    bare: dict[str, set[str]] = {}
    for g in records:
        for k, alias in enumerate(g["aliases"]):
            key = normalise(alias)
            if key in names and names[key] != g["group"]:
                problems.append(
                    Problem(
                        _where(g["row"], g["line"], "aliases"),
                        f"alias {alias!r} (number {k + 1}) is the name of another group",
                    )
                )
            elif key in owner and owner[key] != g["group"]:
                problems.append(
                    Problem(
                        _where(g["row"], g["line"], "aliases"),
                        f"alias {alias!r} is also an alias of {owner[key]!r}",
                    )
                )
            else:
                owner[key] = g["group"]
            for form in alias_forms(alias)[1:]:
                bare.setdefault(normalise(form), set()).add(g["group"])
    for key, group in owner.items():
        table.setdefault(key, group)
    for key, groups in bare.items():
        if len(groups) == 1 and key not in table:
            table[key] = next(iter(groups))
    if problems:
        raise RecordError(source, problems[:MAX_PROBLEMS])
    frame = pd.DataFrame(records, columns=["row", "line", *GROUP_COLUMNS])
    frame["founded"] = pd.to_datetime(frame["founded"])
    frame["ended"] = pd.to_datetime(frame["ended"])
    frame["ideology_score"] = frame["ideology_score"].astype(float)
    return frame.drop(columns=["line"]), table


def _event_date(text: str, precision: str) -> tuple[pd.Timestamp | None, str | None]:
    text = text.strip()
    try:
        if precision == "month" and re.fullmatch(r"\d{4}-\d{2}", text):
            return pd.Timestamp(dt.date.fromisoformat(text + "-01")), None
        date = dt.date.fromisoformat(text)
    except ValueError:
        return None, f"expected a date YYYY-MM-DD, got {text!r}"
    if precision == "month" and date.day != 1:
        return None, (
            f"a month-precision date is set to the 1st of its month, got {text!r} "
            f"(write {date.replace(day=1).isoformat()} or set date_precision to 'day')"
        )
    return pd.Timestamp(date), None


def _load_events(path: Path, aliases: dict[str, str]) -> pd.DataFrame:
    rows, source = _read_csv(path, EVENT_COLUMNS)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    records = []

    def known(text: str, n: int, line: int, column: str) -> str | None:
        canon = aliases.get(normalise(text))
        if canon is None:
            problems.append(
                Problem(
                    _where(n, line, column),
                    f"unknown group {text!r}: expected a group or alias listed in groups.csv",
                )
            )
        return canon

    for n, line, r in rows:
        bad = len(problems)
        eid = r["event_id"].strip()
        if not eid:
            problems.append(Problem(_where(n, line, "event_id"), "expected an event id"))
        elif eid in seen:
            problems.append(
                Problem(
                    _where(n, line, "event_id"), f"duplicate event id {eid!r} (row {seen[eid]})"
                )
            )
        else:
            seen[eid] = n
        precision = r["date_precision"].strip()
        if precision not in PRECISIONS:
            problems.append(
                Problem(
                    _where(n, line, "date_precision"),
                    f"expected one of {PRECISIONS}, got {precision!r}",
                )
            )
        date, why = _event_date(r["date"], precision)
        if why:
            problems.append(Problem(_where(n, line, "date"), why))
        etype = r["event_type"].strip()
        if etype not in EVENT_TYPES:
            problems.append(
                Problem(
                    _where(n, line, "event_type"),
                    f"expected one of {', '.join(EVENT_TYPES)}, got {etype!r}",
                )
            )
        actor = None
        if not r["actor"].strip():
            problems.append(Problem(_where(n, line, "actor"), "expected the name of a group"))
        else:
            actor = known(r["actor"].strip(), n, line, "actor")
        raw_targets = [t.strip() for t in r["target"].split(";") if t.strip()]
        if not raw_targets and etype not in OPTIONAL_TARGET and etype in EVENT_TYPES:
            problems.append(Problem(_where(n, line, "target"), f"a {etype!r} event needs a target"))
        if len(raw_targets) > 1 and etype not in MULTI_TARGET and etype in EVENT_TYPES:
            problems.append(
                Problem(
                    _where(n, line, "target"),
                    f"only {' and '.join(MULTI_TARGET)} events take several ';'-separated "
                    f"targets; a {etype!r} event has one",
                )
            )
        targets = []
        for t in raw_targets:
            canon = known(t, n, line, "target")
            if canon is not None:
                if canon == actor:
                    problems.append(
                        Problem(_where(n, line, "target"), f"{t!r} is the actor itself")
                    )
                elif canon in targets:
                    problems.append(Problem(_where(n, line, "target"), f"{t!r} is listed twice"))
                else:
                    targets.append(canon)
        if not r["source_url"].strip():
            problems.append(
                Problem(_where(n, line, "source_url"), "expected the address of the source")
            )
        if len(problems) > bad:
            continue
        records.append(
            {
                "row": n,
                "event_id": eid,
                "date": date,
                "date_precision": precision,
                "event_type": etype,
                "actor": actor,
                "targets": tuple(targets),
                "target": ";".join(targets),
                "description": r["description"],
                "source_url": r["source_url"].strip(),
                "source_title": r["source_title"],
            }
        )
    if problems:
        raise RecordError(source, problems[:MAX_PROBLEMS])
    if not records:
        raise RecordError(source, [Problem("", "expected at least one event")])
    columns = ["row", "event_id", "date", "date_precision", "event_type", "actor", "targets"]
    columns += ["target", "description", "source_url", "source_title"]
    frame = pd.DataFrame(records, columns=columns)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.sort_values(["date", "row"], kind="stable").reset_index(drop=True)


def load_record(events: str | Path | None = None, groups: str | Path | None = None) -> Record:
    """Read and validate a record.

    Args:
        events: ``events.csv`` (columns as in ``calibration/record/README.md``); default the
            shipped record's.
        groups: ``groups.csv`` naming every actor and target of ``events``; default: the
            ``groups.csv`` beside ``events`` (or the shipped one).

    Returns:
        The record, with every actor and target resolved to its canonical group name.

    Raises:
        RecordError: With every problem found, each as ``row N, column C: what was expected``.
    """
    events_path = Path(events) if events is not None else RECORD_DIR / "events.csv"
    groups_path = Path(groups) if groups is not None else events_path.parent / "groups.csv"
    group_frame, aliases = _load_groups(groups_path)
    event_frame = _load_events(events_path, aliases)
    return Record(event_frame, group_frame, aliases, source=str(events_path))


def load_record_dir(folder: str | Path) -> Record:
    """Read ``events.csv`` and ``groups.csv`` from one folder (see :func:`load_record`)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise RecordError(
            str(folder), [Problem("", "expected a folder with events.csv and groups.csv")]
        )
    return load_record(folder / "events.csv", folder / "groups.csv")
