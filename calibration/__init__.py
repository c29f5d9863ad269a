"""The historical record and the tools that compare and calibrate the model against it.

``calibration/record/`` holds the record (dated, sourced events and groups of north-west Syria,
Dec 2016 - Dec 2020). This package only reads the model's outputs; it never changes the model.

Modules, one concept each (``docs/comparison.md`` explains the scores):

* :mod:`calibration.record`: load and validate a record (the shipped one or a user's);
* :mod:`calibration.mapping`: which record name is which scenario actor, and which simulated
  name is which (the common *keys*);
* :mod:`calibration.membership`: the recorded alignment on any date;
* :mod:`calibration.dyads`: recorded and simulated events as comparable dyads;
* :mod:`calibration.null_model`: base rates from the record, the competitor of every score;
* :mod:`calibration.ensemble`: N seeded runs in parallel;
* :mod:`calibration.metrics`: counts, per-event match, Brier/log scores, adjusted Rand index;
* :mod:`calibration.comparison`: the whole comparison (``run_comparison``), single-run
  scores (``run_scores``) and summary statistics (``summary_statistics``);
* :mod:`calibration.report`: the Markdown report and its plots;
* :mod:`calibration.cli`: ``coalsim compare``.

Nothing is imported here, so that ``coalsim --help`` stays fast.
"""
