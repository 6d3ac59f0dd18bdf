r"""Gradient-flow dynamics of aligned balanced starts, one mode at a time.

A balanced start whose end-to-end matrix shares the singular vectors of
:math:`Y = U \operatorname{diag}(y) V^\top` stays balanced and aligned under the
gradient flow :math:`\dot W_l = -\partial F / \partial W_l`; each singular value
:math:`s` of :math:`P` then follows its own scalar equation (chapter
*Learning dynamics with weight decay*)

.. math::

    \dot s = f(s) = -L\, s^{2(L-1)/L} (s - y) - \lambda L s
         = -L\, s^{2(L-1)/L}\big(h(s) - y\big), \qquad
    h(s) = s + \lambda s^{(2-L)/L} .

For :math:`L = 1` the flow is linear and for :math:`L = 2` logistic; both are
solved in closed form. For :math:`L \ge 3` the layer value :math:`a = s^{1/L}`
obeys :math:`\dot a = -a\, p(a)` with the polynomial
:math:`p(a) = a^{2L-2} - y a^{L-2} + \lambda`, whose positive roots are the
equilibria :math:`a_\pm = s_\pm^{1/L}` (the roots of :math:`h(s) = y`). The time
along a trajectory is :math:`\int da / (-a\,p(a))`; in a logarithmic or logit
coordinate :math:`\zeta` that sends the equilibria to :math:`\pm\infty` the
integrand :math:`dt/d\zeta` is smooth and bounded, so the time is a smooth,
nearly linear function of :math:`\zeta`, computed by composite Gauss–Legendre
quadrature and inverted by safeguarded Newton iterations. All starts with the
same :math:`y` lie on the same trajectory, so the time table is computed once
per distinct ``(y, basin)``.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_matrix, as_nonnegative_array, check_depth, check_lam, check_widths
from .scalar import _largest_root, spinodal_singular_value

__all__ = ["mode_velocity", "escape_threshold", "mode_flow", "time_to_reach", "aligned_init"]

# Gauss-Legendre rule used on every panel, and panels per trajectory table.
_GL_X, _GL_W = np.polynomial.legendre.leggauss(10)
_PANELS = 80
# Regimes (basins) of a start for L >= 3.
_FIXED, _BETWEEN, _BELOW, _ABOVE, _NOROOT = 0, 1, 2, 3, 4
# Logit coordinate range: expit(+-_ZMAX) is 1 (or 0) in double precision.
_ZMAX = 45.0
# Smallest s represented on the way to 0 (s below it is returned as 0).
_S_TINY = 1e-300


def _broadcast(y, s0):
    y = as_nonnegative_array(y, "y")
    s0 = as_nonnegative_array(s0, "s0")
    try:
        y, s0 = np.broadcast_arrays(y, s0)
    except ValueError:
        raise ValueError(f"y and s0 must broadcast together, got shapes {y.shape} and {s0.shape}") from None
    return y, s0


def mode_velocity(s, y, lam, depth):
    r"""The per-mode velocity :math:`f(s) = -L s^{2(L-1)/L}(s - y) - \lambda L s`, broadcast over ``s`` and ``y``.

    Derived in the chapter *Learning dynamics with weight decay*.
    """
    s = as_nonnegative_array(s, "s")
    y = as_nonnegative_array(y, "y")
    lam = check_lam(lam)
    L = check_depth(depth)
    out = -L * s ** (2.0 * (L - 1) / L) * (s - y) - lam * L * s
    return out if out.ndim else float(out)


def _smaller_root(y, lam, L):
    """Smaller root of h(s) = s + lam s^{-alpha} = y (alpha = (L-2)/L), for y above the spinodal.

    Newton's method in u = log s on q(u) = e^u + lam e^{-alpha u} - y, which is
    convex and decreasing left of the spinodal point; started at the left of
    the root, u0 = log((lam/y)^{1/alpha}) where q(u0) = s0 > 0, the iterates
    increase monotonically to the root.
    """
    al = (L - 2.0) / L
    u_sp = np.log(al * lam) / (1.0 + al)
    u = (np.log(lam) - np.log(y)) / al
    active = np.ones(u.shape, dtype=bool)
    for _ in range(200):
        e, m = np.exp(u), lam * np.exp(-al * u)
        q = e + m - y
        qp = e - al * m
        active &= (q > 0) & (qp < 0)
        step = np.where(active, q / np.where(active, qp, -1.0), 0.0)
        u_new = np.minimum(u - step, u_sp)
        active &= np.abs(u_new - u) > 4.0 * np.finfo(float).eps * np.maximum(1.0, np.abs(u))
        u = u_new
        if not np.any(active):
            break
    return np.exp(u)


def _equilibria(y, lam, L):
    """(s_minus, s_plus, has_roots) for L >= 3: the roots of h(s) = y, nan where absent.

    For lam = 0 the smaller "root" is s = 0 (every positive start escapes).
    At y == y_sp exactly the two roots coincide (both are returned equal).
    """
    s_m = np.full(y.shape, np.nan)
    s_p = np.full(y.shape, np.nan)
    if lam == 0.0:
        ok = y > 0
        s_m[ok] = 0.0
        s_p[ok] = y[ok]
        return s_m, s_p, ok
    ysp = spinodal_singular_value(lam, L)
    ok = y > ysp
    if np.any(ok):
        s_m[ok] = _smaller_root(y[ok], lam, L)
        s_p[ok] = _largest_root(y[ok], lam, L)
    tie = y == ysp
    if np.any(tie):
        al = (L - 2.0) / L
        s_m[tie] = s_p[tie] = np.exp(np.log(al * lam) / (1.0 + al))
        ok = ok | tie
    return s_m, s_p, ok


def escape_threshold(y, lam, depth):
    r"""The smallest start :math:`s_0` from which a mode grows to the nonzero minimizer.

    For :math:`L \ge 3` and :math:`\lambda > 0` this is the smaller root of
    :math:`h(s) = s + \lambda s^{(2-L)/L} = y` (the unstable equilibrium of the
    per-mode flow), about :math:`(\lambda / y)^{L/(L-2)}` for small
    :math:`\lambda`; starts below it decay to zero, starts above it grow to the
    larger root. No start escapes when :math:`y \le y_{sp}`
    (:func:`wdlib.spinodal_singular_value`): then ``inf``. For :math:`L = 1`
    it is ``0``; for :math:`L = 2` it is ``0`` when :math:`y > \lambda` and
    ``inf`` otherwise; for :math:`\lambda = 0` it is ``0`` for :math:`y > 0`.
    Vectorized over ``y``. Derived in the chapter *Learning dynamics with
    weight decay*.

    Examples
    --------
    >>> import wdlib
    >>> round(wdlib.escape_threshold(2.0, 0.1, 3), 8)
    0.00012502
    >>> wdlib.escape_threshold(0.5, 0.3, 3)     # below the spinodal value: no escape
    inf
    """
    y = as_nonnegative_array(y, "y")
    lam = check_lam(lam)
    L = check_depth(depth)
    if L == 1:
        out = np.zeros(y.shape)
    elif L == 2:
        out = np.where(y > lam, 0.0, np.inf)
    else:
        s_m, _, ok = _equilibria(y, lam, L)
        out = np.where(ok, s_m, np.inf)
        if lam > 0:
            out = np.where(y == spinodal_singular_value(lam, L), np.inf, out)
    return out if out.ndim else float(out)


# ---------------------------------------------------------------- L >= 3 machinery

def _hsym(m, xs):
    """Complete homogeneous symmetric polynomial h_m of the arrays in xs (0 for m < 0)."""
    if m < 0:
        return 0.0
    H = [1.0]
    for k in range(1, m + 1):
        H.append(H[-1] * xs[0])
    for x in xs[1:]:
        for k in range(1, m + 1):
            H[k] = H[k] + x * H[k - 1]
    return H[m]


def _q(a, am, ap, y, L):
    """p(a) / ((a - a_-)(a - a_+)) as the divided difference p[a_-, a_+, a]: a sum of positive terms for L = 3.

    For lam = 0 (a_- = 0, y = a_+^L) it is a^(L-3) h_(L-1)(a_+, a), positive terms for every L: the general
    form cancels to the size of a^(L-3) a_+^(L+1) and, for L >= 4, loses all digits when a << a_+.
    """
    if not np.any(am):
        return a ** (L - 3) * _hsym(L - 1, (ap, a))
    xs = (am, ap, a)
    return _hsym(2 * L - 4, xs) - y * _hsym(L - 4, xs)


def _log_gap(hi, lo, L):
    """log(hi^(1/L) - lo^(1/L)) for hi > lo >= 0, from hi - lo.

    With r = (lo/hi)^(1/L), hi - lo = (hi^(1/L) - lo^(1/L)) hi^((L-1)/L) (1 + r + ... + r^(L-1)).
    The difference of the L-th roots themselves would be 0 for a start within
    rounding of an equilibrium (s0 != s_- but s0^(1/L) == a_-).
    """
    r = (lo / hi) ** (1.0 / L)
    return np.log(hi - lo) - (L - 1.0) / L * np.log(hi) - np.log(np.polynomial.polynomial.polyval(r, np.ones(L)))


class _Basin:
    """Coordinates zeta (time increases with zeta) and dt/dzeta for one basin of the L >= 3 flow.

    ``s_m``, ``s_p`` are the equilibria s_- <= s_+ (nan where absent, as from
    :func:`_equilibria`); a_-, a_+ their L-th roots.
    """

    def __init__(self, kind, y, lam, L, s_m, s_p):
        self.kind, self.y, self.lam, self.L = kind, y, lam, L
        self.sm, self.sp = np.nan_to_num(s_m), np.nan_to_num(s_p)
        self.am, self.ap = self.sm ** (1.0 / L), self.sp ** (1.0 / L)

    def a_of(self, z):
        k, am, ap = self.kind, self.am, self.ap
        if k == _BETWEEN:                       # zeta = logit((a - a_-)/(a_+ - a_-))
            return am + (ap - am) * _expit(z)
        if k == _BELOW:                         # zeta = -logit(a / a_-)
            return am * _expit(-z)
        if k == _ABOVE:                         # zeta = -log(a - a_+)
            return ap + np.exp(-z)
        return np.exp(-z)                       # _NOROOT: zeta = -log a

    def zeta_of(self, s):
        """zeta of the point s = a^L inside the basin (from differences of s: exact near the equilibria)."""
        k, sm, sp, L = self.kind, self.sm, self.sp, self.L
        if k == _BETWEEN:                       # log(a - a_-) - log(a_+ - a)
            return _log_gap(s, sm, L) - _log_gap(sp, s, L)
        if k == _BELOW:                         # log(a_- - a) - log(a)
            return _log_gap(sm, s, L) - np.log(s) / L
        if k == _ABOVE:
            return -_log_gap(s, sp, L)
        return -np.log(s) / L

    def rate(self, z):
        """dt/dzeta > 0 (smooth and bounded in each basin)."""
        k, am, ap, y, L = self.kind, self.am, self.ap, self.y, self.L
        a = self.a_of(z)
        if k == _NOROOT:
            return 1.0 / (a ** (2 * L - 2) - y * a ** (L - 2) + self.lam)
        q = _q(a, am, ap, y, L)
        if k == _BETWEEN:
            return 1.0 / ((ap - am) * a * q)
        if k == _BELOW:                         # a_+ - a = (a_+ - a_-) + a_- expit(zeta), no cancellation
            return 1.0 / (am * ((ap - am) + am * _expit(z)) * q)
        return 1.0 / (a * ((ap - am) + np.exp(-z)) * q)    # a - a_- = (a_+ - a_-) + (a - a_+)

    def zeta_far(self):
        """Where the trajectory has reached its attractor in double precision."""
        k = self.kind
        if k == _BETWEEN:
            return np.full(self.y.shape, _ZMAX)
        if k == _ABOVE:
            return -np.log(self.ap) + 40.0
        tiny = np.log(_S_TINY) / self.L
        if k == _BELOW:
            return -(tiny - np.log(self.am))
        return -tiny

    def attractor(self):
        if self.kind in (_BETWEEN, _ABOVE):
            return self.sp
        return np.zeros(self.y.shape)


def _expit(z):
    return 1.0 / (1.0 + np.exp(-z))


def _ghost_edges(lam, L):
    """Panel edges refined geometrically around zeta_sp = -log a_sp, the ghost of the vanished equilibria."""
    al = (L - 2.0) / L
    zsp = -np.log(al * lam) / ((1.0 + al) * L)
    g = np.geomspace(1e-5, 4.0, _PANELS // 2)
    return zsp + np.concatenate([-g[::-1], [0.0], g])


def _integral(basin, z0, z1, panels):
    """Time from zeta0 to zeta1 (1-D arrays of one shape, z0 <= z1) by composite Gauss-Legendre.

    ``panels`` equal panels; in the no-root basin (lam > 0) also the edges of
    :func:`_ghost_edges` that fall between z0 and z1: just below the spinodal
    value dt/dzeta peaks there, in a width that equal panels do not resolve.
    """
    edges = z0[:, None] + (z1 - z0)[:, None] * np.linspace(0.0, 1.0, panels + 1)
    if basin.kind == _NOROOT and basin.lam > 0:
        extra = np.clip(_ghost_edges(basin.lam, basin.L)[None, :], z0[:, None], z1[:, None])
        edges = np.sort(np.concatenate([edges, extra], axis=1), axis=1)
    total = 0.0
    for j in range(edges.shape[1] - 1):
        left, h = edges[:, j], edges[:, j + 1] - edges[:, j]
        part = 0.0
        for x, w in zip(_GL_X, _GL_W):
            part = part + w * basin.rate(left + (x + 1.0) * 0.5 * h)
        total = total + 0.5 * h * part
    return total


def _classify(s0, s_m, s_p, ok):
    kind = np.full(s0.shape, _NOROOT)
    kind[ok & (s0 > s_p)] = _ABOVE
    kind[ok & (s0 > s_m) & (s0 < s_p)] = _BETWEEN
    kind[ok & (s0 < s_m)] = _BELOW
    kind[(s0 == 0) | (ok & ((s0 == s_m) | (s0 == s_p)))] = _FIXED
    return kind


def _flow_deep(y, s0, t, lam, L):
    """s(t) for L >= 3; y, s0 1-D of one length n, t 1-D; returns (n, len(t))."""
    out = np.empty((y.size, t.size))
    yu, inv = np.unique(y, return_inverse=True)
    s_m, s_p, ok = (v[inv] for v in _equilibria(yu, lam, L))
    kind = _classify(s0, s_m, s_p, ok)
    out[kind == _FIXED] = s0[kind == _FIXED, None]
    for k in (_BETWEEN, _BELOW, _ABOVE, _NOROOT):
        idx = np.flatnonzero(kind == k)
        if idx.size and k == _NOROOT and lam == 0:
            out[idx] = _flow_algebraic(s0[idx], t, L)
        elif idx.size and k == _BETWEEN and lam == 0:
            # Times count from the smallest start with the same y, and without weight decay they grow like
            # s^(-(L-2)/L) as s -> 0: a start 1e-200 would swamp the time of a start 1e-3 (frozen, or
            # wrong even at t = 0). One table per decade of s0 keeps the offsets within a few own time scales.
            dec = np.floor(np.log10(s0[idx]))
            for d in np.unique(dec):
                sub = idx[dec == d]
                out[sub] = _flow_basin(k, y[sub], s0[sub], s_m[sub], s_p[sub], t, lam, L)
        elif idx.size:
            out[idx] = _flow_basin(k, y[idx], s0[idx], s_m[idx], s_p[idx], t, lam, L)
    return out


def _flow_algebraic(s0, t, L):
    """s(t) for y = 0 and lam = 0 (the only starts without equilibria when lam = 0), (n, len(t)).

    Then ds/dt = -L s^((3L-2)/L): s^(-k/L) = s0^(-k/L) + k t grows linearly,
    k = 2L - 2 (summed in logarithms: no overflow). The decay is algebraic: the
    time table of :func:`_flow_basin`, which follows a trajectory down to
    1e-300, would span more than the largest double.
    """
    k = 2.0 * L - 2.0
    with np.errstate(divide="ignore"):                        # log(0) = -inf at t = 0
        lw = np.logaddexp(-(k / L) * np.log(s0)[:, None], np.log(k * t)[None, :])
    return np.exp(-(L / k) * lw)


def _panel_polynomials():
    """Matrices taking rate values at the Gauss-Legendre nodes of a panel to the monomial
    coefficients (in xi in [-1, 1], highest degree first) of the interpolant and of its
    integral from -1."""
    n = _GL_X.size
    to_leg = np.linalg.inv(np.polynomial.legendre.legvander(_GL_X, n - 1))
    interp = np.empty((n, n))
    integ = np.empty((n + 1, n))
    for i in range(n):
        c = to_leg[:, i]
        interp[:, i] = np.polynomial.legendre.leg2poly(c)[::-1]
        integ[:, i] = np.polynomial.legendre.leg2poly(np.polynomial.legendre.legint(c, lbnd=-1))[::-1]
    return interp, integ


_INTERP, _INTEG = _panel_polynomials()


def _horner(coef, x):
    out = coef[:, 0].copy()
    for i in range(1, coef.shape[1]):
        out = out * x + coef[:, i]
    return out


def _refine(edges, zlo, span, per_unit):
    """The panel edges (one row per y) with panels at most 1/per_unit wide added on [zlo, zlo + span]."""
    n = int(np.ceil(np.max(span) * per_unit))
    if n == 0:
        return edges
    fine = zlo[:, None] + span[:, None] * np.linspace(0.0, 1.0, n + 1)
    return np.sort(np.concatenate([edges, fine], axis=1), axis=1)


def _flow_basin(k, y, s0, s_m, s_p, t, lam, L):
    """s(t) for starts in one basin: a time table per distinct y, then Newton per (start, time).

    On every panel of the table the rate dt/dzeta is replaced by its polynomial
    interpolant at the Gauss-Legendre nodes, whose integral over the panel is
    the quadrature used for the table: the time is then a polynomial of the
    position in the panel, and Newton's method needs no further evaluation of
    the rate.
    """
    yu, first, inv = np.unique(y, return_index=True, return_inverse=True)
    sm, sp = s_m[first], s_p[first]
    z0 = _Basin(k, y, lam, L, s_m, s_p).zeta_of(s0)
    zlo = np.full(yu.size, np.inf)
    np.minimum.at(zlo, inv, z0)
    bu = _Basin(k, yu, lam, L, sm, sp)
    zfar = np.maximum(bu.zeta_far(), zlo + 1.0)
    edges = zlo[:, None] + (zfar - zlo)[:, None] * np.linspace(0.0, 1.0, _PANELS + 1)
    if k in (_ABOVE, _NOROOT):
        # Far above the roots (a >> A) dt/dzeta ~ exp((2L - 2) zeta): panels at most 1/(L - 1) wide there.
        A = bu.ap if k == _ABOVE else np.maximum(yu ** (1.0 / L), lam ** (1.0 / (2 * L - 2)))
        edges = _refine(edges, zlo, np.clip(1.0 - np.log(A) - zlo, 0.0, zfar - zlo), L - 1)
    if k == _BETWEEN and lam == 0.0:
        # Without weight decay a_- = 0, and as a -> 0 (zeta -> -inf) dt/dzeta ~ exp(-(L - 2) zeta):
        # panels at most 1/(L - 2) wide from the smallest start up to zeta = -1.
        edges = _refine(edges, zlo, np.clip(-1.0 - zlo, 0.0, zfar - zlo), max(L - 2, 1))
    if k == _NOROOT:                                          # (lam > 0: see _flow_deep)
        # Near the spinodal value, dt/dzeta peaks sharply at the ghost of the
        # vanished equilibria, a = a_sp: refine the panels around it.
        extra = np.clip(_ghost_edges(lam, L)[None, :], zlo[:, None], zfar[:, None])
        edges = np.sort(np.concatenate([edges, extra], axis=1), axis=1)
    npan = edges.shape[1] - 1
    h = edges[:, 1:] - edges[:, :-1]
    rate_c = np.empty((yu.size, npan, _GL_X.size))
    time_c = np.empty((yu.size, npan, _GL_X.size + 1))
    for c in range(0, yu.size, 64):                          # small blocks stay in cache
        sl = slice(c, c + 64)
        nodes = edges[sl, :-1, None] + (_GL_X + 1.0) * 0.5 * h[sl, :, None]
        with np.errstate(over="ignore"):
            r = _Basin(k, yu[sl, None, None], lam, L, sm[sl, None, None], sp[sl, None, None]).rate(nodes)
        rate_c[sl] = r @ _INTERP.T                           # dt/dzeta as a polynomial in xi
        time_c[sl] = (r @ _INTEG.T) * (0.5 * h[sl])[:, :, None]   # time from the panel's left edge
    table = np.concatenate([np.zeros((yu.size, 1)), np.cumsum(time_c @ np.ones(_GL_X.size + 1), axis=1)],
                           axis=1)
    # Each start's own time T(z0), then the targets T(z0) + t.
    n = y.size
    j0 = _locate(edges, inv, z0)
    xi0 = 2.0 * (z0 - edges[inv, j0]) / h[inv, j0] - 1.0
    T0 = table[inv, j0] + _horner(time_c[inv, j0], xi0)
    target = (T0[:, None] + t[None, :]).ravel()
    g = np.repeat(inv, t.size)
    j = _locate(table, g, target)
    Tl, Tr = table[g, j], table[g, j + 1]
    beyond = target >= table[g, -1]
    tc, rc, hh = time_c[g, j], rate_c[g, j], h[g, j]
    # Newton in xi from the linear interpolate, kept inside the panel.
    xi = -1.0 + 2.0 * np.clip((target - Tl) / np.where(Tr > Tl, Tr - Tl, 1.0), 0.0, 1.0)
    act = np.flatnonzero(~beyond)
    tc, rc, Tl, target, hh = tc[act], rc[act], Tl[act], target[act], hh[act]
    xa = xi[act]
    live = np.arange(act.size)
    for _ in range(50):
        res = Tl + _horner(tc, xa) - target
        slope = _horner(rc, xa) * 0.5 * hh
        x_new = np.clip(xa - res / np.where(slope > 0, slope, np.inf), -1.0, 1.0)
        xi[act[live]] = x_new
        keep = np.abs(x_new - xa) > 1e-12
        if not np.any(keep):
            break
        live, xa = live[keep], x_new[keep]
        tc, rc, Tl, target, hh = tc[keep], rc[keep], Tl[keep], target[keep], hh[keep]
    hh = h[g, j]
    z = edges[g, j] + (xi + 1.0) * 0.5 * hh
    b = _Basin(k, yu[g], lam, L, sm[g], sp[g])
    s = b.a_of(z) ** L
    s = np.where(beyond, b.attractor(), s)
    return s.reshape(n, t.size)


def _locate(E, rows, v):
    """For each v with table row E[rows], the panel j with E[row, j] <= v < E[row, j+1] (clipped)."""
    order = np.argsort(rows)
    bounds = np.searchsorted(rows[order], np.arange(E.shape[0] + 1))
    out = np.empty(v.shape, dtype=int)
    for i in range(E.shape[0]):
        sel = order[bounds[i]:bounds[i + 1]]
        if sel.size:
            out[sel] = np.searchsorted(E[i], v[sel], side="right") - 1
    return np.clip(out, 0, E.shape[1] - 2)


def mode_flow(y, lam, depth, s0, t):
    r"""The exact per-mode gradient flow :math:`s(t)` from :math:`s(0) = s_0`.

    Solves :math:`\dot s = -L s^{2(L-1)/L}(s - y) - \lambda L s` for every pair
    of ``y`` and ``s0`` (broadcast together) at the times ``t``.

    * :math:`L = 1`: :math:`s(t) = s_\infty + (s_0 - s_\infty) e^{-(1+\lambda)t}`,
      :math:`s_\infty = y/(1+\lambda)`.
    * :math:`L = 2`: logistic with :math:`c = y - \lambda`,
      :math:`s(t) = s_0 / \big(e^{-2ct} + s_0 (1 - e^{-2ct})/c\big)`
      (:math:`s_0/(1 + 2 s_0 t)` when :math:`c = 0`).
    * :math:`L \ge 3`: no elementary closed form; the time
      :math:`t = \int_{s_0}^{s} d\sigma / f(\sigma)` is computed in a coordinate
      in which it is smooth and nearly linear (composite Gauss–Legendre, once per
      distinct ``y``) and inverted by safeguarded Newton iterations, to about
      ``1e-8`` relative accuracy (less within 1% of the spinodal value). A start below the escape threshold
      (:func:`escape_threshold`) decays to 0 (values below ``1e-300`` are
      returned as 0), one above it converges to the larger root of
      :math:`h(s) = y`.

    Parameters
    ----------
    y, s0 : float or array_like
        Singular values of the target and starting values (non-negative),
        broadcast together.
    lam : float
        :math:`\lambda \ge 0`.
    depth : int
        :math:`L \ge 1`.
    t : float or array_like
        Non-negative times (any shape).

    Returns
    -------
    ndarray of shape ``broadcast(y, s0).shape + t.shape`` (a float if all are scalars).

    Notes
    -----
    Derived in the chapter *Learning dynamics with weight decay*. The cost for
    :math:`L \ge 3` is a table per distinct ``y`` plus a few quadratures per
    pair: :math:`10^6` pairs over a :math:`10^3 \times 10^3` grid of ``(y, s0)``
    take a few seconds.

    Examples
    --------
    >>> import numpy as np, wdlib
    >>> np.round(wdlib.mode_flow(2.0, 0.1, 3, [1e-3, 1e-5], 50.0), 6)   # above / below s_-
    array([1.919536, 0.      ])
    """
    y, s0 = _broadcast(y, s0)
    lam = check_lam(lam)
    L = check_depth(depth)
    t_arr = as_nonnegative_array(t, "t")
    shape = y.shape + t_arr.shape
    yf, sf, tf = y.ravel(), s0.ravel(), t_arr.ravel()
    T = tf[None, :]
    if L == 1:
        inf = (yf / (1.0 + lam))[:, None]
        out = inf + (sf[:, None] - inf) * np.exp(-(1.0 + lam) * T)
    elif L == 2:
        c = (yf - lam)[:, None]
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            e = np.exp(-2.0 * c * T)
            frac = np.where(c == 0, 2.0 * T, -np.expm1(-2.0 * c * T) / np.where(c == 0, 1.0, c))
            out = sf[:, None] / (e + sf[:, None] * frac)
        out = np.where(np.isfinite(out), out, 0.0)            # s0 = 0 (0/0 once e under- or overflows)
    else:
        out = np.empty((yf.size, tf.size))
        chunk = max(1, 200_000 // max(tf.size, 1))
        for i in range(0, yf.size, chunk):
            out[i:i + chunk] = _flow_deep(yf[i:i + chunk], sf[i:i + chunk], tf, lam, L)
        out = np.where(out < _S_TINY, 0.0, out)
    out = out.reshape(shape)
    return out if out.ndim else float(out)


def time_to_reach(y, lam, depth, s0, s1):
    r"""Time the per-mode flow takes from :math:`s_0` to :math:`s_1`: :math:`\int_{s_0}^{s_1} d\sigma / f(\sigma)`.

    ``inf`` when the trajectory from :math:`s_0` never reaches :math:`s_1`
    (:math:`s_1` on the other side of :math:`s_0`, or at or beyond the
    equilibrium the trajectory converges to); ``0`` when :math:`s_1 = s_0`.
    Closed forms for :math:`L \le 2`; for :math:`L \ge 3` composite
    Gauss–Legendre quadrature in the coordinate of :func:`mode_flow`. As
    :math:`s_0` decreases to the escape threshold the time to any
    :math:`s_1` above it diverges like :math:`\log\big(1/(s_0 - s_-)\big)`.
    ``y``, ``s0`` and ``s1`` are broadcast together.

    Examples
    --------
    >>> import wdlib
    >>> round(wdlib.time_to_reach(2.0, 0.1, 2, 0.01, 1.0), 6)   # logistic, rate 2(y - lam)
    1.407134
    >>> wdlib.time_to_reach(2.0, 0.1, 2, 0.01, 2.5)             # above the limit y - lam
    inf
    """
    y = as_nonnegative_array(y, "y")
    s0 = as_nonnegative_array(s0, "s0")
    s1 = as_nonnegative_array(s1, "s1")
    lam = check_lam(lam)
    L = check_depth(depth)
    try:
        y, s0, s1 = np.broadcast_arrays(y, s0, s1)
    except ValueError:
        raise ValueError(f"y, s0 and s1 must broadcast together, got shapes {y.shape}, {s0.shape}, {s1.shape}") from None
    out = np.full(y.shape, np.inf)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if L == 1:
            sinf = y / (1.0 + lam)
            reach = _between(s0, s1, sinf)
            out = np.where(reach, np.log((s0 - sinf) / (s1 - sinf)) / (1.0 + lam), out)
        elif L == 2:
            c = y - lam
            sinf = np.maximum(c, 0.0)
            reach = _between(s0, s1, sinf)                      # s0 = 0 < s1: the log below is +inf
            tc = np.log(s1 * (c - s0) / (s0 * (c - s1))) / (2.0 * np.where(c == 0, 1.0, c))
            t0 = 0.5 * (1.0 / s1 - 1.0 / s0)
            out = np.where(reach, np.where(c == 0, t0, tc), out)
        else:
            s_m, s_p, ok = _equilibria(y, lam, L)
            kind = _classify(s0, s_m, s_p, ok)
            sinf = np.where(np.isin(kind, (_BETWEEN, _ABOVE)), s_p, 0.0)
            reach = _between(s0, s1, sinf) & (kind != _FIXED)
            for k in (_BETWEEN, _BELOW, _ABOVE, _NOROOT):
                sel = reach & (kind == k)
                if not np.any(sel):
                    continue
                b = _Basin(k, y[sel], lam, L, s_m[sel], s_p[sel])
                z0, z1 = b.zeta_of(s0[sel]), b.zeta_of(s1[sel])
                # dt/dzeta changes on scales down to 1/(2L - 2) (where it is ~ exp((2L - 2) zeta))
                out[sel] = _integral(b, z0, z1, max(8, int(np.ceil((L - 1) * np.max(z1 - z0)))))
        out = np.where(s0 == s1, 0.0, out)
    return out if out.ndim else float(out)


def _between(s0, s1, sinf):
    """s1 lies on the way from s0 to the attractor sinf (attractor excluded)."""
    up = (s0 <= s1) & (s1 < sinf)
    down = (sinf < s1) & (s1 <= s0)
    return up | down


def aligned_init(Y, depth, s0, widths=None):
    r"""Balanced layers whose end-to-end matrix is :math:`U \operatorname{diag}(s_0) V^\top`.

    With the thin SVD :math:`Y = U \operatorname{diag}(y) V^\top` (``k = min(d_0, d_L)``
    modes) and :math:`a = s_0^{1/L}`: :math:`W_1 = \operatorname{diag}(a) V^\top`,
    :math:`W_l = \operatorname{diag}(a)` in between, :math:`W_L = U \operatorname{diag}(a)`,
    padded with zeros to the hidden widths. Such a start stays balanced and
    aligned under gradient flow, and its singular values follow
    :func:`mode_flow` (chapter *Learning dynamics with weight decay*).

    Parameters
    ----------
    Y : array_like, shape ``(d_L, d_0)``
        Target.
    depth : int
        :math:`L \ge 1`.
    s0 : float or array_like
        Starting singular values: a scalar for all ``k`` modes, or ``k`` values
        (mode ``i`` pairs with the ``i``-th largest singular value of ``Y``).
    widths : sequence of int, optional
        Hidden widths, each at least ``k`` (default ``k``).

    Examples
    --------
    >>> import numpy as np, wdlib
    >>> Y = np.array([[3.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    >>> W = wdlib.aligned_init(Y, 3, [0.5, 0.1])
    >>> np.round(wdlib.end_to_end(W), 12)
    array([[0.5, 0. , 0. ],
           [0. , 0.1, 0. ]])
    """
    Y = as_matrix(Y, "Y")
    L = check_depth(depth)
    d_out, d_in = Y.shape
    k = min(d_out, d_in)
    s0 = as_nonnegative_array(s0, "s0")
    if s0.ndim == 0:
        s0 = np.full(k, float(s0))
    elif s0.shape != (k,):
        raise ValueError(f"s0 must be a scalar or hold k = min(d_0, d_L) = {k} values, got shape {s0.shape}")
    if widths is None:
        widths = [k] * (L - 1)
    else:
        widths = check_widths(widths, L, min_width=k)
    U, _, Vt = np.linalg.svd(Y, full_matrices=False)
    a = s0 ** (1.0 / L)
    if L == 1:
        return [(U * s0) @ Vt]
    dims = [d_in] + list(widths) + [d_out]
    out = []
    for l in range(L):
        W = np.zeros((dims[l + 1], dims[l]))
        if l == 0:
            W[:k, :] = a[:, None] * Vt
        elif l == L - 1:
            W[:, :k] = U * a
        else:
            W[np.arange(k), np.arange(k)] = a
        out.append(W)
    return out
