"""Panels of the Simulate page: one module per panel, each a Solara component over a model.

Panels only read the model (under its lock when it has one) and never change it.
"""
