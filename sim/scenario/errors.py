"""The error raised for a scenario or sweep file that cannot be used.

A :class:`ScenarioError` names the file, the path of each offending field (``groups[3].fighters``)
and what was expected there, so that the CLI can print it and exit with status 2.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    Attributes:
        path: Dotted path of the field, e.g. ``groups[3].fighters`` (empty for the whole file).
        message: What was expected and, where useful, what was found.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '<file>'}: {self.message}"


class ScenarioError(ValueError):
    """An input file is malformed, inconsistent or out of range.

    Args:
        source: The file (or a label such as ``<string>``) the input came from.
        problems: Everything found wrong, in file order where possible.
    """

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = [f"{source}: {len(self.problems)} problem(s)"]
        lines += [f"  {source}: {p}" for p in self.problems]
        super().__init__("\n".join(lines))


def format_loc(loc: tuple[str | int, ...]) -> str:
    """Turn a pydantic location tuple into ``a.b[2].c``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
