"""One BLAS thread for the analyses whose linear algebra is many small products.

The estimators here multiply small matrices thousands of times (a bootstrap's 10 × 10 normal
equations, a grid table's K × K axis transforms, a 12 × 12 slot covariance). A multithreaded
BLAS splits each product over its threads and the threads spin between calls: measured on the
2-core machine for the default first-price analysis of a 60,000-bid file, 51 s of CPU and 44 s
of wall time with OpenBLAS's two threads against 37 s and 37 s on one thread. Even the largest
eigen-decomposition the pipeline does (a 500 × 500 slot covariance) gains only 12% of wall time
from a second thread for 40% more CPU. Pinning also makes sums independent of the thread count,
so an analysis gives the same bits inline and on a Dask worker (whose nanny pins BLAS to one
thread).

>>> import numpy as np
>>> with one_blas_thread():
...     float(np.ones((3, 3)) @ np.ones(3) @ np.ones(3))
9.0
"""

from __future__ import annotations

from threadpoolctl import threadpool_limits

__all__ = ["one_blas_thread"]


def one_blas_thread():
    """A context manager in which BLAS and LAPACK run on one thread (restored on exit).

    Returns
    -------
    threadpoolctl.threadpool_limits
        Use it in a ``with`` statement; the previous thread counts come back on exit.
    """
    return threadpool_limits(limits=1, user_api="blas")
