"""Reading scenario files: safe YAML, schema validation, readable errors.

Everything that turns a file (or a mapping) into a :class:`~sim.scenario.schema.Scenario` goes
through :func:`validate_scenario`, so a scenario built any other way cannot skip the checks. A
scenario's ``fitted:`` file is read and merged into its ``rules:`` here
(:mod:`sim.scenario.fitted`), before the checks, so its values are checked like the file's own.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.scenario.errors import Problem, ScenarioError, format_loc
from sim.scenario.fitted import FittedSource, resolve_fitted
from sim.scenario.schema import Scenario

MAX_FILE_BYTES = 2_000_000
# libyaml's safe loader when available (about 9x faster), else the pure-Python one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _describe_pydantic(err: dict[str, Any]) -> str:
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        return "unknown field (check its spelling in docs/scenarios.md)"
    if err["type"] == "missing":
        return "required field is missing"
    got = err.get("input")
    if isinstance(got, dict | list):
        return msg
    return f"{msg}, got {got!r}"


def validate_scenario(
    data: Any,
    source: str = "<scenario>",
    *,
    base_dir: str | Path | None = None,
    use_fitted: bool = True,
) -> Scenario:
    """Validate a parsed scenario mapping, merging in the fitted-parameter file it names.

    Args:
        data: The mapping read from YAML (or built in code).
        source: Where it came from, for error messages.
        base_dir: The folder a relative ``fitted:`` path starts from (the scenario file's).
            ``None``: a scenario that names a fitted file is refused (see
            :func:`sim.scenario.fitted.resolve_fitted`).
        use_fitted: ``False`` ignores the ``fitted:`` file: the declared defaults apply where
            the scenario's own ``rules:`` set nothing (``--no-fitted``).

    Returns:
        The validated scenario; :attr:`Scenario.fitted_source` says which fitted file it used.

    Raises:
        ScenarioError: With every problem found, each with its field path (problems of the
            fitted file name that file).
    """
    if not isinstance(data, dict):
        raise ScenarioError(source, [Problem("", "expected a mapping at the top of the file")])
    data, fitted = resolve_fitted(data, source, base_dir, use_fitted)
    return _checked(data, source, fitted)


def _checked(data: dict[str, Any], source: str, fitted: FittedSource | None) -> Scenario:
    """Validate a mapping whose ``fitted:`` file (if any) is already merged into ``rules``."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(format_loc(e["loc"]), _describe_pydantic(e)) for e in exc.errors()]
        raise ScenarioError(source, problems) from None
    problems = [Problem(path, msg) for path, msg in scenario.consistency_problems()]
    if problems:
        raise ScenarioError(source, problems)
    scenario._fitted_source = fitted
    return scenario


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML with the safe loader, turning syntax errors into :class:`ScenarioError`."""
    try:
        return yaml.load(text, Loader=_SafeLoader)  # a safe loader: no Python objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown place"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(
            source, [Problem("", f"not valid YAML at {where}: {problem}")]
        ) from None


def read_input(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[str, str]:
    """Read a UTF-8 input file of at most ``max_bytes``; return its text and its label.

    Raises:
        ScenarioError: If the file is missing, unreadable, too large or not UTF-8 text.
    """
    source = str(path)
    try:
        if Path(path).stat().st_size > max_bytes:
            raise ScenarioError(source, [Problem("", f"expected at most {max_bytes} bytes")])
        return Path(path).read_text(encoding="utf-8"), source
    except OSError as exc:
        raise ScenarioError(
            source, [Problem("", f"cannot read the file: {exc.strerror}")]
        ) from None
    except UnicodeDecodeError:
        raise ScenarioError(source, [Problem("", "expected UTF-8 text")]) from None


def load_scenario(path: str | Path, *, use_fitted: bool = True) -> Scenario:
    """Read and validate a scenario file (with the fitted-parameter file it names, if any).

    Args:
        path: A YAML scenario file. Its ``fitted:`` path starts from the file's folder.
        use_fitted: ``False`` ignores ``fitted:`` (the declared defaults apply instead).

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: If the file (or its fitted file) is missing, too large, not YAML, or not
            valid.
    """
    text, source = read_input(path)
    return validate_scenario(
        parse_yaml(text, source), source, base_dir=Path(path).parent, use_fitted=use_fitted
    )


def load_scenario_text(
    text: str,
    source: str = "<upload>",
    *,
    base_dir: str | Path | None = None,
    use_fitted: bool = True,
) -> Scenario:
    """Validate scenario YAML given as text (e.g. an upload).

    Args:
        text: The YAML.
        source: Its label in error messages.
        base_dir: The folder a relative ``fitted:`` path starts from. ``None`` (the default,
            and what the front end passes for uploads): text that names a fitted file is
            refused with a message saying so, since text has no folder of its own.
        use_fitted: ``False`` ignores ``fitted:`` instead.
    """
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise ScenarioError(source, [Problem("", f"expected at most {MAX_FILE_BYTES} bytes")])
    return validate_scenario(
        parse_yaml(text, source), source, base_dir=base_dir, use_fitted=use_fitted
    )


def with_params(scenario: Scenario, settings: dict[str, float], source: str = "--set") -> Scenario:
    """Return a copy of ``scenario`` with rule parameters overridden.

    The copy keeps the original's :attr:`~Scenario.fitted_source`: ``settings`` win over the
    fitted values, which are already in its ``rules``.

    Args:
        scenario: A validated scenario.
        settings: ``{"rule.param": value}``; ``"rule.enabled"`` takes a bool.
        source: Label for error messages.

    Raises:
        ScenarioError: If a key does not name a rule parameter or a value is out of range.
    """
    data = scenario.model_dump(mode="python")
    rules = copy.deepcopy(data.get("rules", {}))
    problems = []
    for key, value in settings.items():
        rule, sep, param = key.partition(".")
        if not sep or not param:
            problems.append(Problem(key, "expected RULE.PARAM"))
            continue
        rules.setdefault(rule, {})[param] = value
    data["rules"] = rules
    data["fitted"] = scenario.fitted  # excluded from dumps; its values are already in rules
    try:
        scenario = _checked(data, source, scenario.fitted_source)
    except ScenarioError as exc:
        problems += exc.problems
    if problems:
        raise ScenarioError(source, problems)
    return scenario
