"""Input validation shared by every public function of :mod:`wdlib`.

Every check raises :class:`TypeError` for a value of the wrong kind and
:class:`ValueError` for a value of the right kind that is out of range; the
message names the argument and says what was expected.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__: list[str] = []


def _is_real_dtype(a: np.ndarray) -> bool:
    return a.dtype.kind in "biuf"


def _as_real_array(value, name: str, ndim: int, kind: str, shape_words: str) -> np.ndarray:
    """A finite ``float64`` array with ``ndim`` dimensions, or TypeError/ValueError naming ``name``."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be {kind} of real numbers, got {type(value).__name__}")
    try:
        a = np.asarray(value)
    except Exception as exc:  # pragma: no cover - exotic array-likes
        raise TypeError(f"{name} must be {kind} of real numbers: {exc}") from None
    if a.dtype == object or not _is_real_dtype(a):
        raise TypeError(f"{name} must be {kind} of real numbers, got dtype {a.dtype}")
    if a.ndim != ndim:
        raise ValueError(f"{name} must be {shape_words}, got an array with {a.ndim} dimension(s) and shape {a.shape}")
    a = a.astype(np.float64, copy=False)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, but it contains NaN or infinite entries")
    return a


def as_matrix(value, name: str) -> np.ndarray:
    """Return ``value`` as a finite 2-D ``float64`` array, or raise.

    Integer, boolean and ``float32`` inputs are converted to ``float64``;
    every result of :mod:`wdlib` is computed in double precision.
    """
    return _as_real_array(value, name, 2, "a 2-D array", "a 2-D array (a matrix)")


def as_vector(value, name: str) -> np.ndarray:
    """Return ``value`` as a finite 1-D ``float64`` array, or raise."""
    return _as_real_array(value, name, 1, "a 1-D array", "a 1-D array")


def as_nonnegative_array(value, name: str) -> np.ndarray:
    """Return ``value`` as a finite, non-negative ``float64`` array (any shape)."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a real number or an array of real numbers, got {type(value).__name__}")
    a = np.asarray(value)
    if a.dtype == object or not _is_real_dtype(a):
        raise TypeError(f"{name} must be a real number or an array of real numbers, got dtype {a.dtype}")
    a = a.astype(np.float64, copy=False)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, but it contains NaN or infinite values")
    if np.any(a < 0):
        raise ValueError(f"{name} must be non-negative (singular values), but it has negative entries")
    return a


def check_lam(lam, name: str = "lam") -> float:
    """Return the regularization strength as a float, or raise."""
    if isinstance(lam, (bool, np.bool_)) or not isinstance(lam, (numbers.Real, np.floating, np.integer)):
        if isinstance(lam, np.ndarray) and lam.ndim == 0 and _is_real_dtype(lam) and lam.dtype.kind != "b":
            lam = lam.item()
        else:
            raise TypeError(f"{name} must be a real number >= 0, got {type(lam).__name__}")
    lam = float(lam)
    if not np.isfinite(lam):
        raise ValueError(f"{name} must be a finite real number >= 0, got {lam}")
    if lam < 0:
        raise ValueError(f"{name} must be >= 0 (a regularization strength), got {lam}")
    return lam


def check_depth(depth, name: str = "depth", minimum: int = 1) -> int:
    """Return the depth as an int, or raise."""
    if isinstance(depth, (bool, np.bool_)) or not isinstance(depth, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {type(depth).__name__}")
    depth = int(depth)
    if depth < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {depth}")
    return depth


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int ``>= minimum``, or raise."""
    return check_depth(value, name=name, minimum=minimum)


def check_positive_float(value, name: str, allow_zero: bool = False) -> float:
    """Return ``value`` as a finite float that is > 0 (or >= 0), or raise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    bound = ">= 0" if allow_zero else "> 0"
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be a finite real number {bound}, got {value}")
    return value


def check_weights(weights, Y: np.ndarray | None = None, name: str = "weights") -> list[np.ndarray]:
    """Return the layers as a list of finite ``float64`` matrices whose shapes chain.

    ``weights`` is ``[W_1, ..., W_L]`` with ``W_l`` of shape ``(d_l, d_{l-1})``.
    When ``Y`` is given its shape must be ``(d_L, d_0)``.
    """
    if isinstance(weights, np.ndarray) and weights.ndim == 2:
        raise TypeError(f"{name} must be a list [W_1, ..., W_L] of matrices, got a single array; wrap it as [W]")
    if not isinstance(weights, (list, tuple)):
        raise TypeError(f"{name} must be a list [W_1, ..., W_L] of 2-D arrays, got {type(weights).__name__}")
    if len(weights) == 0:
        raise ValueError(f"{name} must hold at least one layer (depth >= 1), got an empty list")
    out = [as_matrix(W, name=f"{name}[{i}]") for i, W in enumerate(weights)]
    for i in range(1, len(out)):
        if out[i].shape[1] != out[i - 1].shape[0]:
            raise ValueError(
                f"{name}: shapes do not chain: {name}[{i}] has shape {out[i].shape}, so it needs "
                f"{out[i].shape[1]} inputs, but {name}[{i - 1}] has shape {out[i - 1].shape} "
                f"and gives {out[i - 1].shape[0]} outputs (layer W_l must have shape (d_l, d_(l-1)))"
            )
    if Y is not None:
        expected = (out[-1].shape[0], out[0].shape[1])
        if Y.shape != expected:
            raise ValueError(
                f"Y must have the shape of the end-to-end matrix W_L...W_1, {expected}, got {Y.shape}"
            )
    return out


def check_rng(rng, name: str = "rng") -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` from a Generator or an int seed."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (numbers.Integral, np.integer)) and not isinstance(rng, (bool, np.bool_)):
        if rng < 0:
            raise ValueError(f"{name} as a seed must be a non-negative integer, got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(f"{name} must be a numpy.random.Generator or a non-negative int seed, got {type(rng).__name__}")


def check_widths(widths, depth: int, min_width: int = 0, name: str = "widths") -> list[int]:
    """Return the hidden widths ``[d_1, ..., d_{L-1}]`` as ints, or raise.

    ``min_width`` is the smallest width that can carry the target (its rank).
    """
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__len__"):
        raise TypeError(f"{name} must be a sequence of {depth - 1} hidden widths [d_1, ..., d_(L-1)], got {type(widths).__name__}")
    widths = list(widths)
    if len(widths) != depth - 1:
        raise ValueError(f"{name} must list the {depth - 1} hidden widths [d_1, ..., d_(L-1)] of a depth-{depth} network, got {len(widths)}")
    out = []
    for i, w in enumerate(widths):
        w = check_positive_int(w, name=f"{name}[{i}]", minimum=1)
        if w < min_width:
            raise ValueError(
                f"{name}[{i}] = {w} is too narrow: the target has rank {min_width}, so every hidden width must be >= {min_width}"
            )
        out.append(w)
    return out


def as_nonnegative_vector(value, name: str = "lams") -> np.ndarray:
    """Return a non-empty 1-D finite non-negative ``float64`` array (a grid of lambdas or singular values)."""
    a = as_nonnegative_array(value, name)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of non-negative numbers, got shape {a.shape}")
    return a


def tie_column(tie) -> int:
    """Column of :func:`wdlib.scalar_minimizers` that ``tie`` selects: 1 for "largest", 0 for "smallest"."""
    if tie not in ("largest", "smallest"):
        raise ValueError(f"tie must be 'largest' or 'smallest', got {tie!r}")
    return 1 if tie == "largest" else 0


def check_lams(lam, depth: int, name: str = "lam"):
    r"""A regularization strength: a float ``>= 0``, or a sequence of ``depth`` positive floats (one per layer).

    Returns a float for a scalar and a read-only ``float64`` array of shape
    ``(depth,)`` for per-layer strengths :math:`(\lambda_1, \dots, \lambda_L)`.
    """
    if isinstance(lam, (list, tuple)) or (isinstance(lam, np.ndarray) and lam.ndim == 1):
        arr = [check_lam(v, f"{name}[{i}]") for i, v in enumerate(lam)]
        if len(arr) != depth:
            raise ValueError(f"{name} as a sequence must have one value per layer ({depth}), got {len(arr)}")
        if any(v == 0 for v in arr):
            raise ValueError(f"{name} as a sequence must hold positive values (per-layer weight decay), got {arr}")
        out = np.array(arr, dtype=np.float64)
        out.setflags(write=False)
        return out
    return check_lam(lam, name)


def lam_at(lam, l: int) -> float:
    """Layer ``l``'s (0-based) strength from :func:`check_lams`' result."""
    return lam if isinstance(lam, float) else float(lam[l])


def lam_bar(lam) -> float:
    r"""The geometric mean :math:`\bar\lambda = (\prod_l \lambda_l)^{1/L}` (a scalar is returned as is)."""
    return lam if isinstance(lam, float) else float(np.exp(np.mean(np.log(lam))))
