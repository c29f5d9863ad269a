"""Metrics of the comparison, one module per family.

* :mod:`~calibration.metrics.counts`: event counts by type per quarter (median, 90% band, null);
* :mod:`~calibration.metrics.event_match`: per recorded event, the ensemble probability of
  reproducing it (actor and coalition level) and the timing error;
* :mod:`~calibration.metrics.scores`: Brier and log scores of monthly probabilities, the null's,
  and skill;
* :mod:`~calibration.metrics.alignment`: adjusted Rand index of simulated vs recorded alignment.

Every function here is pure (tables in, tables or numbers out); none runs the model.
"""

from calibration.metrics.alignment import adjusted_rand_index, partition_agreement
from calibration.metrics.scores import brier_score, log_score, skill_score

__all__ = [
    "adjusted_rand_index",
    "brier_score",
    "log_score",
    "partition_agreement",
    "skill_score",
]
