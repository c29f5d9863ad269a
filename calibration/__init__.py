"""The historical record and the tools that compare and calibrate the model against it.

``calibration/record/`` holds the record (dated, sourced events and groups of north-west Syria,
Dec 2016 - Dec 2020): :mod:`calibration.record` loads it, :mod:`calibration.mapping` and
:mod:`calibration.membership` relate it to a scenario, :mod:`calibration.comparison` scores
ensembles against it beside a null model (``coalsim compare``), and :mod:`calibration.abc`
with :mod:`calibration.posterior` calibrates rule parameters by ABC-SMC (``coalsim calibrate``).
This package only reads the model's outputs; it never changes the model.
"""
