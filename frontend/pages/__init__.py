"""Pages of the app, one module each: Simulate, Ensemble, and Sweeps and calibration results."""
