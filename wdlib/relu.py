r"""A two-layer ReLU network trained with weight decay (chapter *The rescaling puzzle*).

The network with ``width`` hidden units on inputs :math:`x \in \R^d` is

.. math::

    f(x) = \sum_{k=1}^{m} v_k\, \mathrm{relu}(w_k^\top x + b_k) + c ,

stored as a dict ``params`` with keys ``"W"`` (shape ``(m, d)``, row ``k`` is
:math:`w_k`), ``"b"`` (shape ``(m,)``), ``"v"`` (shape ``(m,)``) and ``"c"``
(a float). The *incoming* weights of unit ``k`` are :math:`(w_k, b_k)`, its
*outgoing* weight is :math:`v_k`. Since :math:`\mathrm{relu}(\beta z) = \beta\,
\mathrm{relu}(z)` for :math:`\beta > 0`, the map
:math:`(w_k, b_k, v_k) \mapsto (\beta w_k, \beta b_k, v_k/\beta)` leaves
:math:`f` unchanged.

The objective on data :math:`(x_i, y_i)_{i=1}^n` is

.. math::

    J = \frac{1}{2n} \sum_{i=1}^n (f(x_i) - y_i)^2
        + \frac{\lambda}{2}\Big(\|W\|_F^2 + \|b\|^2 + \|v\|^2\Big),

with :math:`\|b\|^2` dropped when ``penalize_bias=False``; the output bias
:math:`c` is never penalized (no rescaling touches it).
"""

from __future__ import annotations

import numbers
import os
import sys

import numpy as np

from ._validate import as_matrix, as_vector, check_lam, check_positive_float, check_positive_int, check_rng

__all__ = [
    "init_relu_params",
    "relu_forward",
    "relu_loss",
    "relu_grad",
    "train_relu_network",
    "unit_norms",
    "unit_imbalance",
    "rescale_units",
    "balance_units",
    "relu_path_norm",
    "rescaled_norm",
]

_KEYS = ("W", "b", "v", "c")


# ----------------------------------------------------------------------------- validation
def _check_params(params, name: str = "params", d_in: int | None = None) -> dict:
    """Return a validated copy of ``params`` as float64 arrays, or raise."""
    if not isinstance(params, dict):
        raise TypeError(f"{name} must be a dict with keys 'W', 'b', 'v', 'c', got {type(params).__name__}")
    missing = [k for k in _KEYS if k not in params]
    if missing:
        raise ValueError(f"{name} is missing the key(s) {missing}; it needs 'W', 'b', 'v', 'c'")
    W = as_matrix(params["W"], f"{name}['W']")
    m = W.shape[0]
    out = {"W": W.copy()}
    for key in ("b", "v"):
        a = as_vector(params[key], f"{name}['{key}']")
        if a.shape != (m,):
            raise ValueError(f"{name}['{key}'] must have shape ({m},) to match {name}['W'] of shape {W.shape}, got {a.shape}")
        out[key] = a.copy()
    c = params["c"]
    if isinstance(c, (bool, np.bool_)) or not (isinstance(c, (numbers.Real, np.floating, np.integer))
                                               or (isinstance(c, np.ndarray) and c.shape == () and c.dtype.kind in "iuf")):
        raise TypeError(f"{name}['c'] must be a real number (the output bias), got {type(c).__name__}")
    c = float(c)
    if not np.isfinite(c):
        raise ValueError(f"{name}['c'] must be finite, got {c}")
    out["c"] = c
    if d_in is not None and W.shape[1] != d_in:
        raise ValueError(f"{name}['W'] has {W.shape[1]} input columns but X has {d_in} features")
    return out


def _check_data(X, y):
    X = as_matrix(X, "X")
    y = as_vector(y, "y")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have one target per row of X: X has {X.shape[0]} rows, y has {y.shape[0]} entries")
    if X.shape[0] == 0:
        raise ValueError("X must hold at least one data point (row)")
    return X, y


def _check_flag(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


# ----------------------------------------------------------------------------- model
def init_relu_params(d_in, width, rng=0, in_scale=1.0, out_scale=None) -> dict:
    r"""Random parameters: :math:`w_k, b_k \sim \mathcal N(0, \text{in\_scale}^2)`, :math:`v_k \sim \mathcal N(0, \text{out\_scale}^2)`, :math:`c = 0`.

    Parameters
    ----------
    d_in : int
        Input dimension :math:`d`.
    width : int
        Number :math:`m` of hidden units.
    rng : numpy.random.Generator or int
        Source of randomness.
    in_scale : float
        Standard deviation of the incoming weights and biases.
    out_scale : float, optional
        Standard deviation of the outgoing weights, by default
        :math:`1/\sqrt{m}`. The defaults make units *unbalanced* at the start
        (:math:`\|(w_k, b_k)\|^2 \approx d + 1` against :math:`v_k^2 \approx 1/m`).
    """
    d_in = check_positive_int(d_in, "d_in")
    width = check_positive_int(width, "width")
    rng = check_rng(rng)
    in_scale = check_positive_float(in_scale, "in_scale", allow_zero=True)
    out_scale = 1.0 / np.sqrt(width) if out_scale is None else check_positive_float(out_scale, "out_scale", allow_zero=True)
    return {
        "W": in_scale * rng.standard_normal((width, d_in)),
        "b": in_scale * rng.standard_normal(width),
        "v": out_scale * rng.standard_normal(width),
        "c": 0.0,
    }


def _forward(p, X):
    Z = X @ p["W"].T + p["b"]
    H = np.maximum(Z, 0.0)
    return Z, H, H @ p["v"] + p["c"]


def relu_forward(params, X) -> np.ndarray:
    r"""Network outputs :math:`f(x_i)` for the rows :math:`x_i` of ``X`` (shape ``(n, d)``); returns shape ``(n,)``."""
    X = as_matrix(X, "X")
    p = _check_params(params, d_in=X.shape[1])
    return _forward(p, X)[2]


def _penalty(p, penalize_bias):
    s = np.sum(p["W"] ** 2) + np.sum(p["v"] ** 2)
    if penalize_bias:
        s += np.sum(p["b"] ** 2)
    return float(s)


def _loss(p, X, y, lam, penalize_bias):
    r = _forward(p, X)[2] - y
    return 0.5 * float(np.mean(r * r)) + 0.5 * lam * _penalty(p, penalize_bias)


def _loss_grad(p, X, y, lam, penalize_bias):
    """Objective and gradient from a single forward pass."""
    Z = X @ p["W"].T + p["b"]
    H = np.maximum(Z, 0.0)
    res = H @ p["v"] + p["c"] - y
    n = X.shape[0]
    r = res / n
    dZ = np.outer(r, p["v"]) * (Z > 0)          # relu'(0) := 0 (any choice gives the same balance laws)
    g = {
        "W": dZ.T @ X + lam * p["W"],
        "b": dZ.sum(axis=0) + (lam * p["b"] if penalize_bias else 0.0),
        "v": H.T @ r + lam * p["v"],
        "c": r.sum(),                               # a NumPy scalar: overflow gives inf, not an exception
    }
    loss = 0.5 * (res @ res) / n + 0.5 * lam * _penalty(p, penalize_bias)
    return loss, g


def _grad(p, X, y, lam, penalize_bias):
    return _loss_grad(p, X, y, lam, penalize_bias)[1]


def relu_loss(params, X, y, lam, penalize_bias=True) -> float:
    r"""The objective :math:`J` (module docstring): half the mean squared error plus :math:`\frac{\lambda}{2}\|\theta\|^2`.

    Parameters
    ----------
    params : dict
        ``{"W", "b", "v", "c"}`` as in the module docstring.
    X : array_like, shape ``(n, d)``
        Inputs, one per row.
    y : array_like, shape ``(n,)``
        Targets.
    lam : float
        :math:`\lambda \ge 0`.
    penalize_bias : bool
        Whether the hidden biases :math:`b_k` are decayed (the output bias never is).
    """
    X, y = _check_data(X, y)
    p = _check_params(params, d_in=X.shape[1])
    return _loss(p, X, y, check_lam(lam), _check_flag(penalize_bias, "penalize_bias"))


def relu_grad(params, X, y, lam, penalize_bias=True) -> dict:
    r"""Analytic gradient of :func:`relu_loss`, a dict with the keys of ``params``.

    With :math:`Z = X W^\top + b`, :math:`H = \mathrm{relu}(Z)`,
    :math:`r = (f(X) - y)/n` and :math:`\Delta = (r v^\top) \odot [Z > 0]`:
    :math:`\partial_W J = \Delta^\top X + \lambda W`,
    :math:`\partial_b J = \Delta^\top \mathbf 1 + \lambda b` (the :math:`\lambda b`
    term only if ``penalize_bias``), :math:`\partial_v J = H^\top r + \lambda v`,
    :math:`\partial_c J = \mathbf 1^\top r`. At a kink (:math:`z = 0`) the
    convention :math:`\mathrm{relu}'(0) = 0` is used.
    """
    X, y = _check_data(X, y)
    p = _check_params(params, d_in=X.shape[1])
    g = _grad(p, X, y, check_lam(lam), _check_flag(penalize_bias, "penalize_bias"))
    g["c"] = float(g["c"])
    return g


def _show_progress(progress):
    if progress is not None:
        return bool(progress)
    if os.environ.get("PYTEST_CURRENT_TEST") or os.environ.get("CI"):
        return False
    return sys.stderr.isatty()


def _imbalance(p):
    W = p["W"]
    return np.einsum("kj,kj->k", W, W) + p["b"] ** 2 - p["v"] ** 2


def train_relu_network(X, y, width, lam, steps=1000, lr=1e-2, rng=0, progress=None, init=None,
                       penalize_bias=True):
    r"""Full-batch gradient descent :math:`\theta \leftarrow \theta - \eta \nabla J(\theta)` on :func:`relu_loss`.

    Parameters
    ----------
    X : array_like, shape ``(n, d)``
        Inputs.
    y : array_like, shape ``(n,)``
        Targets.
    width : int
        Number of hidden units (checked against ``init`` when that is given).
    lam : float
        Weight decay :math:`\lambda \ge 0`.
    steps : int
        Number of steps.
    lr : float
        Step size :math:`\eta > 0`.
    rng : numpy.random.Generator or int
        Source of randomness for the start (:func:`init_relu_params` with its defaults).
    progress : bool, optional
        Print progress to stderr; by default only in an interactive terminal,
        never under pytest, CI or in a notebook.
    init : dict, optional
        Explicit starting parameters (then ``rng`` is unused).
    penalize_bias : bool
        Whether the hidden biases are decayed.

    Returns
    -------
    params : dict
        The final parameters.
    history : dict
        ``"loss"``: :math:`J` before each step and after the last (length
        ``steps + 1``); ``"grad_norm"``: Euclidean norm of the full gradient at
        the same times; ``"imbalance"``: array ``(steps + 1, width)`` of
        :math:`D_k = \|w_k\|^2 + b_k^2 - v_k^2` (biases included whatever
        ``penalize_bias`` is: this is the quantity the rescaling symmetry
        conserves when :math:`\lambda = 0`); ``"grad_imbalance"``: the same
        quantity for the gradient, :math:`e_k = \|(\partial_{w_k} J, \partial_{b_k} J)\|^2
        - (\partial_{v_k} J)^2`, which drives the exact step law
        :math:`D_k \leftarrow (1 - 2\eta\lambda) D_k + \eta^2 e_k` (when
        ``penalize_bias``); ``"time"``: :math:`\eta k`;
        ``"steps"``.

    Raises
    ------
    FloatingPointError
        If the iterates overflow (lower ``lr``).
    """
    X, y = _check_data(X, y)
    width = check_positive_int(width, "width")
    lam = check_lam(lam)
    steps = check_positive_int(steps, "steps", minimum=0)
    lr = check_positive_float(lr, "lr")
    penalize_bias = _check_flag(penalize_bias, "penalize_bias")
    if init is None:
        p = init_relu_params(X.shape[1], width, rng=rng)
    else:
        p = _check_params(init, name="init", d_in=X.shape[1])
        if p["W"].shape[0] != width:
            raise ValueError(f"init has {p['W'].shape[0]} hidden units but width = {width}")
    show = _show_progress(progress)
    every = max(steps // 20, 1)
    losses = np.empty(steps + 1)
    gnorms = np.empty(steps + 1)
    imbs = np.empty((steps + 1, width))
    gimbs = np.empty((steps + 1, width))

    def record(k, loss, g):
        losses[k] = loss
        gnorms[k] = np.sqrt(np.sum(g["W"] ** 2) + np.sum(g["b"] ** 2) + np.sum(g["v"] ** 2) + g["c"] ** 2)
        imbs[k] = _imbalance(p)
        gimbs[k] = _imbalance(g)

    loss, g = _loss_grad(p, X, y, lam, penalize_bias)
    record(0, loss, g)
    for k in range(1, steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):   # divergence is reported just below
            p = {key: p[key] - lr * g[key] for key in _KEYS}
            loss, g = _loss_grad(p, X, y, lam, penalize_bias)
            record(k, loss, g)
        if not (np.isfinite(losses[k]) and np.isfinite(gnorms[k])):
            raise FloatingPointError(f"gradient descent diverged at step {k} (loss {losses[k]}); lower lr (now {lr})")
        if show and (k % every == 0 or k == steps):
            print(f"\rstep {k}/{steps}  loss {losses[k]:.6g}", end="", file=sys.stderr, flush=True)
    if show:
        print(file=sys.stderr)
    p["c"] = float(p["c"])
    history = {"loss": losses, "grad_norm": gnorms, "imbalance": imbs, "grad_imbalance": gimbs, "time": lr * np.arange(steps + 1), "steps": steps}
    return p, history


# ----------------------------------------------------------------------------- rescaling
def unit_norms(params, include_bias=True):
    r"""Per-unit incoming norms :math:`\|(w_k, b_k)\|` (or :math:`\|w_k\|` if not ``include_bias``) and outgoing :math:`|v_k|`.

    Returns two arrays of shape ``(m,)``.
    """
    p = _check_params(params)
    include_bias = _check_flag(include_bias, "include_bias")
    sq = np.sum(p["W"] ** 2, axis=1) + (p["b"] ** 2 if include_bias else 0.0)
    return np.sqrt(sq), np.abs(p["v"])


def unit_imbalance(params, include_bias=True) -> np.ndarray:
    r"""Per-unit :math:`D_k = \|(w_k, b_k)\|^2 - v_k^2` (without :math:`b_k^2` if not ``include_bias``), shape ``(m,)``."""
    a, v = unit_norms(params, include_bias)
    return a**2 - v**2


def rescale_units(params, beta) -> dict:
    r"""Apply :math:`(w_k, b_k, v_k) \mapsto (\beta_k w_k, \beta_k b_k, v_k/\beta_k)`.

    ``beta`` is a positive number or an array of ``m`` positive numbers. The
    network function is unchanged (chapter *The rescaling puzzle*).
    """
    p = _check_params(params)
    m = p["W"].shape[0]
    if isinstance(beta, (str, bytes)) or beta is None:
        raise TypeError(f"beta must be a positive number or an array of {m} positive numbers, got {type(beta).__name__}")
    bt = np.asarray(beta)
    if bt.dtype == object or bt.dtype.kind not in "iuf":
        raise TypeError(f"beta must be a positive number or an array of {m} positive numbers, got dtype {bt.dtype}")
    bt = np.broadcast_to(bt.astype(np.float64), (m,)) if bt.ndim == 0 else bt.astype(np.float64)
    if bt.shape != (m,):
        raise ValueError(f"beta must be a number or have shape ({m},), got shape {bt.shape}")
    if not np.all(np.isfinite(bt)) or np.any(bt <= 0):
        raise ValueError("beta must be finite and > 0 (ReLU is only positively homogeneous)")
    return {"W": p["W"] * bt[:, None], "b": p["b"] * bt, "v": p["v"] / bt, "c": p["c"]}


def balance_units(params, include_bias=True) -> dict:
    r"""The balanced representative: rescale each unit by :math:`\beta_k = \sqrt{|v_k| / \|\mathrm{in}_k\|}`.

    Afterwards :math:`\|\mathrm{in}_k\| = |v_k|` for every unit whose incoming
    and outgoing weights are both nonzero, and the penalty of those units is
    :math:`2\|\mathrm{in}_k\||v_k|`, the least over all rescalings. A unit with
    a zero side is left unchanged (there the infimum is not attained by any
    rescaling; it is :math:`0`). ``include_bias`` says whether :math:`b_k`
    counts in :math:`\mathrm{in}_k`.
    """
    p = _check_params(params)
    a, v = unit_norms(p, include_bias)
    ok = (a > 0) & (v > 0)
    beta = np.ones_like(a)
    beta[ok] = np.sqrt(v[ok] / a[ok])
    return rescale_units(p, beta)


def relu_path_norm(params, include_bias=True) -> float:
    r""":math:`\sum_k \|\mathrm{in}_k\|\,|v_k|`, half the least penalty over all rescalings of ``params``.

    Equal to :math:`\tfrac12 \sum_k (\|\mathrm{in}_k\|^2 + v_k^2)` exactly when every unit is balanced.
    """
    a, v = unit_norms(params, include_bias)
    return float(np.sum(a * v))


def rescaled_norm(beta, a_norm, b_norm) -> np.ndarray:
    r"""The squared norm :math:`\beta^2 \|a\|^2 + \|b\|^2/\beta^2` of the rescaled pair :math:`(\beta a, b/\beta)`.

    ``beta`` (positive) is broadcast against ``a_norm`` and ``b_norm`` (non-negative).
    Its minimum over :math:`\beta > 0` is :math:`2\|a\|\|b\|`, at
    :math:`\beta^2 = \|b\|/\|a\|` (chapter *The rescaling puzzle*).
    """
    bt = _as_real_array(beta, "beta")
    if np.any(bt <= 0):
        raise ValueError("beta must be > 0")
    A = _as_real_array(a_norm, "a_norm")
    B = _as_real_array(b_norm, "b_norm")
    if np.any(A < 0) or np.any(B < 0):
        raise ValueError("a_norm and b_norm must be >= 0 (they are norms)")
    return bt**2 * A**2 + B**2 / bt**2


def _as_real_array(value, name):
    if isinstance(value, (str, bytes, bool, np.bool_)) or value is None:
        raise TypeError(f"{name} must be a real number or an array of real numbers, got {type(value).__name__}")
    a = np.asarray(value)
    if a.dtype == object or a.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a real number or an array of real numbers, got dtype {a.dtype}")
    a = a.astype(np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    return a
