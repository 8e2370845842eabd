"""Public test functions with known grade spectra (oracles for tests, benchmarks, examples).

* Sobol' G: f = Π_j (abs(4x_j − 2) + a_j)/(1 + a_j) on U[0,1]^N; V_j = 1/(3(1+a_j)²),
  σ²_u = Π_{j∈u} V_j, so W_r = e_r(V_1, …, V_N).
* Ishigami (a = 7, b = 0.1) on U[−π, π]³: V₁ = ½ + bπ⁴/5 + b²π⁸/50, V₂ = a²/8,
  V₁₃ = 8b²π⁸/225, every other component 0.
* Exactly geometric: f = Σ_r c_r e_r(g(x_1), …, g(x_N)) with g(x) = √3(2x − 1) (mean 0,
  variance 1 under U[0,1]) and c_r = ρ^{−r}/√C(N,r), so W_r = ρ^{−2r} exactly.
"""

from __future__ import annotations

import math

import numpy as np


def default_g_coefficients(n: int) -> np.ndarray:
    """a_j = j/2 for j = 0…N−1 (the first input matters most).

    >>> default_g_coefficients(3).tolist()
    [0.0, 0.5, 1.0]
    """
    return np.arange(n) / 2.0


def sobol_g(x, a=None) -> np.ndarray:
    """Sobol' G function of a (batch, N) array in [0, 1].

    >>> sobol_g(np.array([[0.5, 0.5]]), a=[0.0, 1.0]).tolist()
    [0.0]
    """
    x = np.asarray(x, dtype=float)
    a = default_g_coefficients(x.shape[1]) if a is None else np.asarray(a, dtype=float)
    return np.prod((np.abs(4 * x - 2) + a) / (1 + a), axis=1)


def elementary_symmetric(v) -> np.ndarray:
    """e_0…e_N of the numbers v (coefficients of Π(1 + v_j z)).

    >>> elementary_symmetric([1.0, 2.0, 3.0]).tolist()
    [1.0, 6.0, 11.0, 6.0]
    """
    e = np.zeros(len(v) + 1)
    e[0] = 1.0
    for j, vj in enumerate(v):
        e[1:j + 2] = e[1:j + 2] + vj * e[0:j + 1]
    return e


def sobol_g_energies(a) -> np.ndarray:
    """Exact W_0…W_N of Sobol' G with coefficients a (W_0 = 1, the squared mean).

    >>> np.round(sobol_g_energies([0.0]), 12).tolist()
    [1.0, 0.333333333333]
    """
    a = np.asarray(a, dtype=float)
    return elementary_symmetric(1.0 / (3.0 * (1.0 + a) ** 2))


ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1


def ishigami(x) -> np.ndarray:
    """Ishigami function of a (batch, 3) array in [−π, π]³.

    >>> float(ishigami(np.zeros((1, 3)))[0])
    0.0
    """
    x = np.asarray(x, dtype=float)
    return (np.sin(x[:, 0]) + ISHIGAMI_A * np.sin(x[:, 1]) ** 2
            + ISHIGAMI_B * x[:, 2] ** 4 * np.sin(x[:, 0]))


def ishigami_energies() -> np.ndarray:
    """Exact W_0…W_3 of Ishigami on U[−π, π]³ (W_0 = (a/2)²).

    >>> [round(float(w), 6) for w in ishigami_energies()]
    [12.25, 10.470888, 3.3737, 0.0]
    """
    a, b, pi = ISHIGAMI_A, ISHIGAMI_B, math.pi
    v1 = 0.5 + b * pi**4 / 5 + b**2 * pi**8 / 50
    v2 = a**2 / 8
    v13 = 8 * b**2 * pi**8 / 225
    return np.array([(a / 2) ** 2, v1 + v2, v13, 0.0])


def geometric_function(rho: float, n: int):
    """f on U[0,1]^N with W_r = ρ^{−2r} for r = 1…N exactly (and W_0 = 0).

    >>> f = geometric_function(2.0, 3)
    >>> f(np.full((1, 3), 0.5)).tolist()   # g = 0 everywhere
    [0.0]
    """

    def f(x):
        g = math.sqrt(3.0) * (2 * np.asarray(x, dtype=float) - 1)
        e = np.zeros((g.shape[0], n + 1))
        e[:, 0] = 1.0
        for j in range(n):
            e[:, 1:j + 2] = e[:, 1:j + 2] + g[:, j:j + 1] * e[:, 0:j + 1]
        c = np.array([0.0] + [rho ** (-r) / math.sqrt(math.comb(n, r)) for r in
                              range(1, n + 1)])
        return e @ c

    return f
