"""pytest's collection at the repository root, and one BLAS thread per test process."""

import os

# pytest-xdist runs one worker per core; a multithreaded BLAS in each would put two busy
# threads on every core, and OpenBLAS's threads spin between the many small products of the
# estimators (CPU that the other worker needed). One thread per process, subprocesses
# (the command-line tests) included: the variables for libraries loaded later, threadpoolctl
# for those already loaded.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from threadpoolctl import threadpool_limits  # noqa: E402

threadpool_limits(limits=1, user_api="blas")

# The python -m shim replaces itself by the function when imported; it has no doctests.
collect_ignore = ["latent/estimate_rho.py", "docs/conf.py", "docs/inventories/make.py"]
collect_ignore_glob = ["docs/_build/*", "docs/api/*"]
