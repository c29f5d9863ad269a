"""The historical record and the tools that compare and calibrate the model against it.

``calibration/record/`` holds the record (dated, sourced events and groups of north-west Syria,
Dec 2016 - Dec 2020). This package only reads the model's outputs; it never changes the model.
"""
