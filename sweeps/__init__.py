"""Scenario sweeps, sensitivity analysis and scenario discovery, locally or on Dask.

One module per concept:

- :mod:`sweeps.spec`: the sweep file (schema and validation against scenario and rules);
- :mod:`sweeps.design`: grid, Latin hypercube, Sobol and Morris designs; replicate seeds;
- :mod:`sweeps.outputs`: what a run reports (event counts, named outcomes, structure, scores);
- :mod:`sweeps.runner`: one run, point + seed -> output row (picklable, runs on Dask workers);
- :mod:`sweeps.store`: the results folder: streaming, crash-safe Parquet files, resume;
- :mod:`sweeps.executors`: local process pool or Dask cluster, one as-completed loop;
- :mod:`sweeps.driver`: a whole sweep (``coalsim sweep``);
- :mod:`sweeps.analysis`: summaries, SALib indices, PRIM, plots, report (``coalsim analyze``);
- :mod:`sweeps.cli`: the two commands.

The package only uses the model's public API (:class:`sim.model.CoalitionModel`,
:func:`sim.scenario.with_params`, :data:`sim.rules.RULES`); it never changes the model.
``docs/sweeps.md`` is the user's guide. Nothing is imported here, so that ``coalsim --help``
stays fast.
"""
