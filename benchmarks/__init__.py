"""coalsim's benchmarks: ``python -m benchmarks.run [--quick]`` (see docs/PERFORMANCE.md).

:mod:`benchmarks.run` prints the table; :mod:`benchmarks.workloads` holds the measured workloads
(each run in its own process where sizes or caches must not pollute each other);
:mod:`benchmarks.profile` records py-spy profiles and summarises them by rule and function.
"""
