r"""Gradient descent on :math:`F`, with a history of the objective and the imbalance.

The chapters use it as an independent route to the minimizers that
:func:`wdlib.minimizer` gives in closed form, and to watch the imbalance decay
(chapter *Balancedness*).
"""

from __future__ import annotations

import os
import sys
import warnings

import numpy as np
from scipy.optimize import OptimizeResult

from ._validate import as_matrix, check_depth, check_lams, check_positive_float, check_positive_int, check_rng, check_weights, check_widths
from .model import _grad, _product

__all__ = ["gradient_descent", "init_weights", "ConvergenceWarning"]

#: Gradient-norm tolerance against which a run without ``tol`` is judged.
DEFAULT_GTOL = 1e-6


class ConvergenceWarning(UserWarning):
    """An iterative routine stopped before reaching the requested tolerance."""


def init_weights(shape_or_Y, depth, widths=None, init_scale=0.1, rng=0) -> list[np.ndarray]:
    r"""Random layers with i.i.d. :math:`\mathcal N(0, \text{init\_scale}^2)` entries.

    Parameters
    ----------
    shape_or_Y : tuple or array_like
        The end-to-end shape ``(d_L, d_0)``, or a target whose shape is used.
    depth : int
        :math:`L \ge 1`.
    widths : sequence of int, optional
        Hidden widths; by default :math:`\min(d_0, d_L)` for each, the smallest
        that can represent any target.
    init_scale : float
        Standard deviation of every entry (``0`` gives the all-zero point).
    rng : numpy.random.Generator or int
        Source of randomness.
    """
    if isinstance(shape_or_Y, tuple) and all(np.ndim(d) == 0 for d in shape_or_Y):
        # A shape (d_L, d_0): two positive integers (not bools, not floats).
        if len(shape_or_Y) != 2:
            raise ValueError(f"shape_or_Y as a shape must be two positive sizes (d_L, d_0), got {shape_or_Y}")
        d_out, d_in = (check_positive_int(d, f"shape_or_Y[{i}]") for i, d in enumerate(shape_or_Y))
    else:
        d_out, d_in = as_matrix(shape_or_Y, "Y").shape
    L = check_depth(depth)
    if widths is None:
        widths = [min(d_in, d_out)] * (L - 1)
    else:
        widths = check_widths(widths, L)
    init_scale = check_positive_float(init_scale, "init_scale", allow_zero=True)
    rng = check_rng(rng)
    dims = [d_in] + list(widths) + [d_out]
    return [init_scale * rng.standard_normal((dims[l + 1], dims[l])) for l in range(L)]


def _show_progress(progress):
    if progress is not None:
        if not isinstance(progress, (bool, np.bool_)):
            raise TypeError(f"progress must be True, False or None, got {type(progress).__name__}")
        return bool(progress)
    if os.environ.get("PYTEST_CURRENT_TEST") or os.environ.get("CI"):
        return False
    return sys.stderr.isatty()


def gradient_descent(Y, lam, depth, widths=None, steps=1000, lr=1e-2, init_scale=0.1, rng=0,
                     init=None, tol=None, progress=None):
    r"""Plain gradient descent :math:`W_l \leftarrow W_l - \eta\, \partial F/\partial W_l`.

    Parameters
    ----------
    Y : array_like, shape ``(d_L, d_0)``
        Target.
    lam : float or sequence of float
        :math:`\lambda \ge 0`, or one positive :math:`\lambda_l` per layer
        (penalty :math:`\sum_l \frac{\lambda_l}{2}\|W_l\|_F^2`).
    depth : int
        :math:`L \ge 1`.
    widths : sequence of int, optional
        Hidden widths (default :math:`\min(d_0, d_L)` each); ignored if ``init`` is given.
    steps : int
        Maximum number of steps.
    lr : float
        Step size :math:`\eta > 0`.
    init_scale : float
        Entry standard deviation of the random start (:func:`init_weights`).
    rng : numpy.random.Generator or int
        Source of randomness for the start.
    init : list of array_like or "aligned", optional
        Explicit starting weights (then ``widths``, ``init_scale`` and ``rng`` are unused),
        or ``"aligned"``: the balanced start aligned with ``Y`` at the target itself,
        :func:`wdlib.aligned_init` with ``s0`` the singular values of ``Y`` (``widths`` is
        used). From it every mode with :math:`y_i` above the spinodal value descends
        to the larger root without a plateau (chapter *Learning dynamics with weight
        decay*).
    tol : float, optional
        Stop early once the largest layer-gradient Frobenius norm is at most
        ``tol``. If ``tol`` is given and not reached within ``steps``, a
        :class:`ConvergenceWarning` is issued. Without ``tol`` all ``steps`` are
        taken and convergence is judged against ``1e-6`` (reported, not warned).
    progress : bool, optional
        Print progress to stderr. By default only in an interactive terminal,
        never under pytest or CI, and never inside a notebook (whose outputs must
        be reproducible).

    Returns
    -------
    weights : list of ndarray
        The final layers.
    history : scipy.optimize.OptimizeResult
        A dict with attribute access, as SciPy's optimizers return:
        ``"loss"``: objective before each step and after the last one (length
        ``n + 1`` for ``n`` steps taken); ``"imbalance"``: array of shape
        ``(n + 1, L - 1)`` with :math:`\|D_l\|_F` at the same times;
        ``"grad_norm"``: largest layer-gradient norm at the same times;
        ``"steps"`` and ``"nit"``: ``n``; ``"success"`` (alias
        ``"converged"``): whether the final gradient norm is at most the
        tolerance (``tol``, or ``1e-6`` when ``tol`` is None); ``"status"``:
        ``0`` converged, ``1`` step budget exhausted; ``"message"``: a sentence
        saying which.

    Warns
    -----
    ConvergenceWarning
        When ``tol`` was given and the step budget ran out before it was reached.

    Notes
    -----
    Gradient descent finds *a* critical point, not necessarily the global
    minimizer. For :math:`L \ge 3` the origin is a strict local minimizer
    (chapter *The scalar problem*): a start much smaller than the escape
    threshold of a mode stays at zero in that mode. The default
    ``init_scale=0.1`` escapes for targets whose singular values are of order
    one and :math:`\lambda` well below the collapse value; for other scales
    start at a fraction of :math:`\|Y\|^{1/L}`, or from
    :func:`wdlib.balanced_factors` of a guess.

    Examples
    --------
    >>> import numpy as np, wdlib
    >>> Y = np.diag([3.0, 1.0])
    >>> W, hist = wdlib.gradient_descent(Y, 0.1, 2, steps=5000, lr=0.1, tol=1e-10)
    >>> hist.success, bool(np.allclose(wdlib.end_to_end(W), wdlib.minimizer(Y, 0.1, 2)))
    (True, True)

    Raises
    ------
    FloatingPointError
        If the iterates overflow (the step size is too large for this start).
    """
    Y = as_matrix(Y, "Y")
    L = check_depth(depth)
    lam = check_lams(lam, L)
    steps = check_positive_int(steps, "steps", minimum=0)
    lr = check_positive_float(lr, "lr")
    if tol is not None:
        tol = check_positive_float(tol, "tol", allow_zero=True)
    if init is None:
        W = init_weights(Y, L, widths, init_scale, rng)
    elif isinstance(init, str):
        if init != "aligned":
            raise ValueError(f"init must be a list of layers or 'aligned', got {init!r}")
        from .dynamics import aligned_init

        W = aligned_init(Y, L, np.linalg.svd(Y, compute_uv=False), widths)
    else:
        W = [w.copy() for w in check_weights(init, Y, name="init")]
        if len(W) != L:
            raise ValueError(f"init must have depth = {L} layers, got {len(W)}")
    show = _show_progress(progress)
    every = max(steps // 20, 1)

    losses, imbs, gnorms = [], [], []

    def record(G):
        R = _product(W) - Y
        if isinstance(lam, float):
            losses.append(0.5 * np.sum(R * R) + 0.5 * lam * sum(np.sum(w * w) for w in W))
        else:
            losses.append(0.5 * np.sum(R * R) + 0.5 * sum(lam[l] * np.sum(w * w) for l, w in enumerate(W)))
        imbs.append([np.linalg.norm(W[l + 1].T @ W[l + 1] - W[l] @ W[l].T) for l in range(L - 1)])
        gnorms.append(max(np.linalg.norm(g) for g in G))

    def diverged():
        return not (np.isfinite(losses[-1]) and np.isfinite(gnorms[-1]))

    n = 0
    # Overflow is detected below and reported as FloatingPointError; silence
    # numpy's RuntimeWarnings on the way (they would otherwise pre-empt it
    # wherever warnings are errors, e.g. under this project's pytest settings).
    with np.errstate(over="ignore", invalid="ignore"):
        G = _grad(W, Y, lam)
        record(G)
        if diverged():
            raise FloatingPointError(f"the starting point overflows (loss {losses[-1]}, gradient norm {gnorms[-1]})")
        while n < steps:
            if tol is not None and gnorms[-1] <= tol:
                break
            W = [w - lr * g for w, g in zip(W, G)]
            n += 1
            G = _grad(W, Y, lam)
            record(G)
            if diverged():
                raise FloatingPointError(f"gradient descent diverged at step {n} (loss {losses[-1]}); lower lr (now {lr})")
            if show and (n % every == 0 or n == steps):
                print(f"\rstep {n}/{steps}  loss {losses[-1]:.6g}", end="", file=sys.stderr, flush=True)
    if show:
        print(file=sys.stderr)
    gtol = DEFAULT_GTOL if tol is None else tol
    success = bool(gnorms[-1] <= gtol)
    if success:
        message = f"converged: gradient norm {gnorms[-1]:.3g} <= {gtol:.3g} after {n} steps"
    else:
        message = (f"not converged: gradient norm {gnorms[-1]:.3g} > {gtol:.3g} after {n} steps "
                   f"(the step budget, steps={steps}, ran out)")
    if tol is not None and not success:
        warnings.warn(f"gradient_descent {message}; raise steps or lr", ConvergenceWarning, stacklevel=2)
    history = OptimizeResult(
        loss=np.array(losses),
        imbalance=np.array(imbs).reshape(len(losses), L - 1),
        grad_norm=np.array(gnorms),
        steps=n,
        nit=n,
        success=success,
        converged=success,
        status=0 if success else 1,
        message=message,
    )
    return W, history
