"""coalsim's browser front end (Solara): simulate, run ensembles, show sweep and calibration plots.

``coalsim app`` (:mod:`frontend.cli`) serves :mod:`frontend.app`. The front end only reads the
model's public API and the outputs of the other packages; nothing in :mod:`sim` imports it.
"""
