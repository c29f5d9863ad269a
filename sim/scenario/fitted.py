"""Fitted-parameter files: rule parameters estimated by a calibration, used by a scenario.

A fitted-parameter file is a scenario's ``rules:`` mapping (``RULE: {PARAM: VALUE}``), or a
mapping with that under a single ``rules:`` key, as ``coalsim calibrate --fitted`` writes it.
A scenario names one in its top-level ``fitted:`` field, as a path relative to the scenario
file's folder; the loader (:mod:`sim.scenario.loader`) merges it into ``rules:`` with this
precedence, lowest first:

1. the rules' declared defaults;
2. the fitted file;
3. the scenario's own ``rules:`` entries;
4. ``--set`` (:func:`sim.scenario.with_params`).

:func:`read_fitted` is the one reader of these files (``calibration.posterior.load_fitted``
uses it too); :class:`FittedSource` is what a validated scenario remembers of the file it used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.scenario.errors import Problem, ScenarioError

# A fitted file holds a handful of numbers; anything much larger is a wrong file.
MAX_FITTED_BYTES = 200_000


def display_path(path: str | Path) -> str:
    """``path`` without ``..`` detours, relative to the working directory when it is inside it.

    ``scenarios/../calibration/fitted/x.yaml`` -> ``calibration/fitted/x.yaml``.
    """
    norm = os.path.normpath(str(path))
    if os.path.isabs(norm):
        try:
            rel = os.path.relpath(norm)
        except ValueError:  # another drive (Windows)
            return norm
        if not rel.startswith(".."):
            return rel
    return norm


def _cannot(path: str, why: str) -> ScenarioError:
    return ScenarioError(path, [Problem("", why)])


def read_fitted(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read a fitted-parameter file: ``{rule: {param: value}}``, not yet checked against the rules.

    Args:
        path: The file (YAML).

    Returns:
        The mapping (a ``rules:`` wrapper is removed).

    Raises:
        ScenarioError: Naming ``path`` if the file is missing, unreadable, too large, not YAML,
            or not a mapping of rule names to mappings.
    """
    from sim.scenario.loader import parse_yaml, read_input

    text, source = read_input(path, MAX_FITTED_BYTES)
    data = parse_yaml(text, source)
    if isinstance(data, dict) and set(data) == {"rules"}:
        data = data["rules"]
    if not isinstance(data, dict) or not data:
        raise _cannot(source, "expected a mapping RULE: {PARAM: VALUE} (a scenario's rules:)")
    bad = [
        Problem(str(rule), "expected a mapping of parameter names to values")
        for rule, params in data.items()
        if not isinstance(params, dict)
    ]
    if bad:
        raise ScenarioError(source, bad)
    return {str(rule): dict(params) for rule, params in data.items()}


def fitted_problems(rules: Mapping[str, Any]) -> list[Problem]:
    """Check a fitted file's values exactly like a scenario's ``rules:`` entries.

    Paths are the file's own (``defection.base_rate``), not ``rules.defection.base_rate``.
    """
    from sim.scenario.schema import rule_problems

    return [Problem(path, msg) for path, msg in rule_problems(rules, prefix="")]


def merge_rules(
    fitted: Mapping[str, Mapping[str, Any]], own: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """The fitted values under the scenario's own ``rules:`` (own entries win, per parameter).

    ``own`` is kept as it is where it is not a mapping, so that its validation reports it.
    """
    merged: dict[str, Any] = {rule: dict(params) for rule, params in fitted.items()}
    for rule, params in own.items():
        if isinstance(params, dict) and isinstance(merged.get(rule), dict):
            merged[rule] = {**merged[rule], **params}
        else:
            merged[rule] = _shallow_copy(params)
    return merged


def _shallow_copy(value: Any) -> Any:
    """A shallow copy of a mapping (other values as they are)."""
    return dict(value) if isinstance(value, dict) else value


@dataclass(frozen=True)
class FittedSource:
    """Where a scenario's fitted rule parameters came from.

    Attributes:
        declared: The ``fitted:`` entry as written in the scenario file.
        path: The file read (``..`` removed, relative to the working directory when inside
            it), or ``""`` when the file was not used.
        values: ``{"rule.param": value}`` as read from the file.
        used: Whether the values were merged into ``rules:`` (``False`` after ``--no-fitted``).
    """

    declared: str
    path: str = ""
    values: Mapping[str, Any] = field(default_factory=dict)
    used: bool = True


def settings_of(rules: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """``{rule: {param: v}}`` -> ``{"rule.param": v}``."""
    return {f"{r}.{k}": v for r, params in rules.items() for k, v in params.items()}


def resolve_fitted(
    data: dict[str, Any], source: str, base_dir: str | Path | None, use_fitted: bool = True
) -> tuple[dict[str, Any], FittedSource | None]:
    """Read the fitted file a parsed scenario names and merge it into its ``rules:``.

    Args:
        data: The parsed scenario mapping (not changed).
        source: The scenario's label (its file), for error messages.
        base_dir: The scenario file's folder, which a relative ``fitted:`` path starts from;
            ``None`` for a scenario that is not a file (an upload): one with ``fitted:`` is
            then refused.
        use_fitted: ``False`` leaves ``rules:`` as written (the declared defaults apply where
            the scenario sets nothing); the result still records the ``fitted:`` entry.

    Returns:
        The mapping with merged ``rules:`` and the :class:`FittedSource` (``None`` when the
        scenario names no fitted file, or ``fitted:`` is not text: validation reports that).

    Raises:
        ScenarioError: Naming the scenario and ``fitted`` (and the fitted file) if the file is
            missing, unreadable or malformed, or cannot be resolved; naming the fitted file and
            the parameter's path (``defection.base_rate``) for a value the rules refuse.
    """
    declared = data.get("fitted")
    if not isinstance(declared, str):
        return data, None
    if not declared.strip():
        raise ScenarioError(
            source, [Problem("fitted", "expected the path of a fitted-parameter file, got ''")]
        )
    if not use_fitted:
        return data, FittedSource(declared=declared, used=False)
    if base_dir is None:
        raise ScenarioError(
            source,
            [
                Problem(
                    "fitted",
                    f"a scenario given as text (not read from a file) cannot use a fitted-"
                    f"parameter file ({declared!r}): there is no folder to find it in. Remove "
                    "'fitted:' and put its values under 'rules:', or open the scenario file",
                )
            ],
        )
    target = Path(declared).expanduser()
    if not target.is_absolute():
        target = Path(base_dir) / target
    shown = display_path(target)
    try:
        fitted = read_fitted(target)
    except ScenarioError as exc:
        why = "; ".join(str(p) if p.path else p.message for p in exc.problems)
        raise ScenarioError(
            source,
            [
                Problem(
                    "fitted",
                    f"expected a fitted-parameter file (a rules: mapping) at {shown} "
                    f"(relative to the scenario's folder: {declared!r}): {why}",
                )
            ],
        ) from None
    problems = fitted_problems(fitted)
    if problems:
        raise ScenarioError(shown, problems)
    out = dict(data)
    own = data.get("rules") or {}
    out["rules"] = merge_rules(fitted, own) if isinstance(own, dict) else own
    return out, FittedSource(declared=declared, path=shown, values=settings_of(fitted))
