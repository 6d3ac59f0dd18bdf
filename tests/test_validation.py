"""Bad input to every public function of the mathematical modules raises TypeError or
ValueError whose message starts with the name of the offending argument.

Modules (``CORE``): wdlib.model, balance, scalar, solve, training, hessian, phase,
denoising, factorization, landscape, spectrum, critical and dynamics. A table lists,
for each function, a valid call and the kind of each argument; bad values of each
kind are generated from it. The match is anchored and case-sensitive, so a validation
call that names the wrong argument (``as_matrix(Y, "y")``) fails here.
"""

import importlib
import inspect
import re

import numpy as np
import pytest

import wdlib

Y23 = np.arange(6.0).reshape(2, 3) / 3
W23 = [np.ones((2, 3)) / 3, np.ones((2, 2)) / 2]  # chains (3 -> 2 -> 2), end-to-end (2, 3)
# a target whose minimizer at lam = 0.1, depth 3 has rank 2 (that of Y23 has rank 1),
# so hidden widths of 1 are too narrow for it
Y2 = Y23 + np.eye(2, 3)
# the nonzero critical values of Y2's modes at lam = 0.1, depth 3 (the minimizer's)
S2 = [float(v[-1])
      for v in wdlib.critical_values(np.linalg.svd(Y2, compute_uv=False), 0.1, 3)]
# a target on the exceptional set at lam = 0.1, depth 3 (one singular value y_c)
YC = wdlib.critical_singular_value(0.1, 3)
YEX = wdlib.exceptional_target((2, 3), 0.1, 3, rng=0)

# function name -> (valid keyword arguments, {argument name: kind})
SPECS = {
    "end_to_end": (dict(weights=W23), {"weights": "weights"}),
    "loss": (dict(weights=W23, Y=Y23, lam=0.1), {"weights": "weights", "Y": "matrix", "lam": "lams"}),
    "grad": (dict(weights=W23, Y=Y23, lam=0.1), {"weights": "weights", "Y": "matrix", "lam": "lams"}),
    "prefix_products": (dict(weights=W23), {"weights": "weights"}),
    "suffix_products": (dict(weights=W23), {"weights": "weights"}),
    "imbalance": (dict(weights=W23), {"weights": "weights"}),
    "balanced_factors": (dict(P=Y23, depth=3, widths=None), {"P": "matrix", "depth": "depth", "widths": "widths"}),
    "random_orthogonal": (dict(n=3, rng=0), {"n": "count", "rng": "rng"}),
    "random_orbit_point": (dict(weights=W23, rng=0), {"weights": "weights", "rng": "rng"}),
    "representation_cost": (dict(P=Y23, depth=3), {"P": "matrix", "depth": "depth"}),
    "numerical_rank": (dict(singular_values=[2.0, 1.0], shape=(2, 3)), {"singular_values": "values", "shape": "shape"}),
    "threshold_constant": (dict(depth=3), {"depth": "depth"}),
    "critical_singular_value": (dict(lam=0.1, depth=3), {"lam": "lam", "depth": "depth"}),
    "critical_lambda": (dict(Y=Y23, depth=3), {"Y": "matrix", "depth": "depth"}),
    "collapse_lambdas": (dict(Y=Y23, depth=3), {"Y": "matrix", "depth": "depth"}),
    "spinodal_singular_value": (dict(lam=0.1, depth=3), {"lam": "lam", "depth": "depth"}),
    "spinodal_lambda": (dict(y=[1.0, 2.0], depth=3), {"y": "values", "depth": "depth"}),
    "scalar_objective": (dict(s=0.5, y=1.0, lam=0.1, depth=3), {"s": "values", "y": "values", "lam": "lam", "depth": "depth"}),
    "scalar_minimizers": (dict(y=[1.0, 2.0], lam=0.1, depth=3, rtol=1e-10), {"y": "values", "lam": "lam", "depth": "depth", "rtol": "rtol"}),
    "scalar_minimizer": (dict(y=[1.0, 2.0], lam=0.1, depth=3, rtol=1e-10), {"y": "values", "lam": "lam", "depth": "depth", "rtol": "rtol"}),
    "scalar_local_minimizer": (dict(y=[1.0, 2.0], lam=0.1, depth=3), {"y": "values", "lam": "lam", "depth": "depth"}),
    "minimizer": (dict(Y=Y23, lam=0.1, depth=3, tie="largest", rtol=1e-10), {"Y": "matrix", "lam": "lams", "depth": "depth", "tie": "tie", "rtol": "rtol"}),
    "minimizer_singular_values": (dict(Y=Y23, lam=0.1, depth=3, tie="largest", rtol=1e-10), {"Y": "matrix", "lam": "lams", "depth": "depth", "tie": "tie", "rtol": "rtol"}),
    "minimizer_factors": (dict(Y=Y2, lam=0.1, depth=3, widths=None, tie="largest", rtol=1e-10), {"Y": "matrix", "lam": "lams", "depth": "depth", "widths": "widths", "tie": "tie", "rtol": "rtol"}),
    "minimum_value": (dict(Y=Y23, lam=0.1, depth=3), {"Y": "matrix", "lam": "lams", "depth": "depth"}),
    "is_exceptional": (dict(Y=Y23, lam=0.1, depth=3, rtol=1e-10), {"Y": "matrix", "lam": "lam", "depth": "depth", "rtol": "rtol"}),
    "init_weights": (dict(shape_or_Y=Y23, depth=3, widths=None, init_scale=0.1, rng=0), {"shape_or_Y": "matrix", "depth": "depth", "widths": "widths", "init_scale": "nonneg", "rng": "rng"}),
    "gradient_descent": (dict(Y=Y23, depth=3, lam=0.1, steps=3, lr=1e-2, init_scale=0.1, rng=0, tol=None, progress=False),
                         {"Y": "matrix", "depth": "depth", "lam": "lams", "steps": "steps", "lr": "positive", "init_scale": "nonneg", "rng": "rng", "tol": "nonneg", "progress": "progress"}),
}
SPECS["gradient_descent"][0].update(widths=None, init=None)
SPECS["gradient_descent"][1].update(widths="widths", init="init")
SPECS["critical_lambda"][0].update(ratios=None)
SPECS["critical_lambda"][1].update(ratios="ratios")

# the other mathematical modules; valid calls are small (this file stays a few seconds)
WYL = dict(weights=W23, Y=Y23, lam=0.1)
WYL_KINDS = {"weights": "weights", "Y": "matrix23", "lam": "lams"}
SPECS.update({
    # wdlib.hessian (weights W23: N = 10 parameters)
    "flatten_params": (dict(weights=W23), {"weights": "weights"}),
    "unflatten_params": (dict(theta=np.arange(10.0), weights=W23),
                         {"theta": "theta", "weights": "weights"}),
    "hessian": (WYL, WYL_KINDS),
    "hvp": (dict(WYL, V=W23), dict(WYL_KINDS, V="direction")),
    "hessian_trace": (WYL, WYL_KINDS),
    "hessian_trace_at_minimizer": (
        dict(Y=Y2, lam=0.1, depth=3, widths=None, tie="largest"),
        {"Y": "matrix", "lam": "lam", "depth": "depth", "widths": "widths",
         "tie": "tie"}),
    "hessian_spectrum": (
        dict(WYL, k=2, method="auto", which="largest", progress=None),
        dict(WYL_KINDS, k="k", method="method", which="which", progress="callback")),
    "sharpness": (dict(WYL, method="auto"), dict(WYL_KINDS, method="method")),
    "numerical_hessian": (dict(WYL, h=1e-5), dict(WYL_KINDS, h="positive")),
    # wdlib.phase
    "minimizer_rank": (dict(Y=Y23, lam=0.1, depth=3, tie="largest"),
                       {"Y": "matrix", "lam": "lam", "depth": "depth", "tie": "tie"}),
    "singular_value_paths": (
        dict(Y=Y23, lams=[0.0, 0.1], depth=3, tie="largest"),
        {"Y": "matrix", "lams": "grid", "depth": "depth", "tie": "tie"}),
    "rank_phase_diagram": (
        dict(Y=Y23, lams=[0.0, 0.1], depths=[2, 3], tie="largest"),
        {"Y": "matrix", "lams": "grid", "depths": "depths", "tie": "tie"}),
    "scalar_phase_diagram": (dict(ys=[1.0, 2.0], lams=[0.0, 0.1], depth=3),
                             {"ys": "grid", "lams": "grid", "depth": "depth"}),
    "collapse_lambda_bisection": (
        dict(Y=Y23, depth=3, rtol=1e-6, tie="largest"),
        {"Y": "matrix", "depth": "depth", "rtol": "rtol", "tie": "tie"}),
    "zero_hessian_eigenvalues": (
        dict(Y=Y23, lam=0.1, depth=3, widths=None),
        {"Y": "matrix", "lam": "lam", "depth": "depth", "widths": "widths"}),
    "continuation": (  # tol reached at once: no steps, no warning
        dict(Y=Y23, lams=[0.1, 0.2], depth=2, init=W23, steps=3, lr=0.1, tol=1e3),
        {"Y": "matrix23", "lams": "grid", "depth": "depth", "init": "init",
         "steps": "steps", "lr": "positive", "tol": "nonneg"}),
    # wdlib.denoising
    "noisy_low_rank_target": (
        dict(shape=(2, 3), rank=2, noise=0.1, rng=0, signal=None),
        {"shape": "shape2", "rank": "count2", "noise": "nonneg", "rng": "rng",
         "signal": "signal"}),
    "error_curve": (
        dict(Y=Y23, X=Y2, lams=[0.0, 0.1], depth=3, tie="largest"),
        {"Y": "matrix", "X": "matrix23", "lams": "grid", "depth": "depth",
         "tie": "tie"}),
    "layer_norm_curve": (
        dict(Y=Y23, lams=[0.0, 0.1], depth=3, tie="largest"),
        {"Y": "matrix", "lams": "grid", "depth": "depth", "tie": "tie"}),
    "error_slope_at_zero": (dict(Y=Y23, X=Y2, depth=3),
                            {"Y": "matrix", "X": "matrix23", "depth": "depth"}),
    "optimal_regularization": (
        dict(Y=Y2, X=Y23, depth=2, lams=None),
        {"Y": "matrix", "X": "matrix23", "depth": "depth", "lams": "grid"}),
    "steps_to_tolerance": (
        dict(Y=Y23, lam=0.1, depth=3, lr=0.1, init_scale=0.1, rng=0, rtol=1e-8,
             max_steps=3, target=None, widths=None),
        {"Y": "matrix", "lam": "lam", "depth": "depth", "lr": "positive",
         "init_scale": "nonneg", "rng": "rng", "rtol": "rtol", "max_steps": "steps",
         "target": "matrix23", "widths": "widths"}),
    # wdlib.factorization
    "min_norm_factorization": (
        dict(P=Y23, depth=3, widths=None, rng=0, gtol=1e-10, maxiter=200),
        {"P": "matrix", "depth": "depth", "widths": "widths", "rng": "rng",
         "gtol": "positive", "maxiter": "count"}),
    "balanced_extension": (dict(first=Y23, widths=[2, 2], rng=0),
                           {"first": "matrix", "widths": "sizes", "rng": "rng"}),
    "total_squared_norm": (dict(weights=W23), {"weights": "weights"}),
    "compound_matrix": (dict(A=Y23, k=2), {"A": "matrix", "k": "count2"}),
    "schatten_ball_boundary": (dict(depth=3, num=9), {"depth": "depth", "num": "num"}),
    # wdlib.landscape
    "reduced_objective": (
        dict(P=Y2, Y=Y23, lam=0.1, depth=3),
        {"P": "matrix23", "Y": "matrix", "lam": "lam", "depth": "depth"}),
    "exceptional_target": (
        dict(shape=(2, 3), lam=0.1, depth=3, others=None, multiplicity=1, rng=0),
        {"shape": "shape2", "lam": "poslam", "depth": "deepdepth", "others": "others",
         "multiplicity": "count2", "rng": "rng"}),
    "squared_layer_norms": (dict(weights=W23), {"weights": "weights"}),
    "minimizer_layer_norm": (
        dict(Y=Y23, lam=0.1, depth=3, tie="largest"),
        {"Y": "matrix", "lam": "lam", "depth": "depth", "tie": "tie"}),
    "objective_on_segment": (
        dict(weights_a=W23, weights_b=W23, Y=Y23, lam=0.1, ts=[0.0, 0.5]),
        {"weights_a": "weights", "weights_b": "weights", "Y": "matrix23", "lam": "lam",
         "ts": "ts"}),
    "optimality_report": (dict(weights=W23, Y=Y23, lam=0.1, h=1e-4),
                          dict(WYL_KINDS, lam="lam", h="positive")),
    "is_global_minimizer": (dict(weights=W23, Y=Y23, lam=0.1, atol=1e-9),
                            dict(WYL_KINDS, lam="lam", atol="nonneg")),
    "tie_minimizer": (
        dict(Y=YEX, lam=0.1, depth=3, projector=np.eye(1), rtol=1e-10),
        {"Y": "matrix", "lam": "poslam", "depth": "deepdepth", "projector": "projector",
         "rtol": "rtol"}),
    "orbit_alignment": (dict(weights_a=W23, weights_b=W23),
                        {"weights_a": "weights", "weights_b": "weights"}),
    # wdlib.spectrum
    "hessian_spectrum_at_minimizer": (
        dict(Y=Y2, lam=0.1, depth=3, widths=None, tie="largest", multiplicities=False),
        {"Y": "matrix", "lam": "lam", "depth": "depth", "widths": "widths",
         "tie": "tie", "multiplicities": "flag"}),
    "hessian_spectrum_at_critical": (
        dict(Y=Y2, lam=0.1, depth=3, singular_values=S2, widths=None,
             multiplicities=False),
        {"Y": "matrix", "lam": "lam", "depth": "depth", "singular_values": "critical_s",
         "widths": "widths", "multiplicities": "flag"}),
    "orbit_dimension": (dict(rank=1, dims=[3, 2, 2]), {"rank": "rank", "dims": "dims"}),
    # wdlib.critical
    "critical_values": (dict(y=[1.0, 2.0], lam=0.1, depth=3),
                        {"y": "values", "lam": "lam", "depth": "depth"}),
    "critical_points": (
        dict(Y=Y23, lam=0.1, depth=3, widths=None),
        {"Y": "matrix", "lam": "poslam", "depth": "depth", "widths": "widths"}),
    "critical_point_factors": (
        dict(Y=Y2, lam=0.1, depth=3, singular_values=S2, widths=None),
        {"Y": "matrix", "lam": "lam", "depth": "depth", "singular_values": "critical_s",
         "widths": "widths"}),
    # wdlib.dynamics
    "mode_velocity": (dict(s=0.5, y=1.0, lam=0.1, depth=3),
                      {"s": "values", "y": "values", "lam": "lam", "depth": "depth"}),
    "escape_threshold": (dict(y=[1.0, 2.0], lam=0.1, depth=3),
                         {"y": "values", "lam": "lam", "depth": "depth"}),
    "mode_flow": (
        dict(y=[1.0, 2.0], lam=0.1, depth=3, s0=0.5, t=[0.0, 1.0]),
        {"y": "values", "lam": "lam", "depth": "depth", "s0": "values", "t": "values"}),
    "time_to_reach": (
        dict(y=[1.0, 2.0], lam=0.1, depth=3, s0=0.5, s1=0.6),
        {"y": "values", "lam": "lam", "depth": "depth", "s0": "values",
         "s1": "values"}),
    "aligned_init": (dict(Y=Y23, depth=3, s0=0.5, widths=None),
                     {"Y": "matrix", "depth": "depth", "s0": "s0", "widths": "widths"}),
})

# (by name: the attribute wdlib.hessian is the function hessian, not the module)
CORE = [importlib.import_module(f"wdlib.{name}") for name in (
    "model", "balance", "scalar", "solve", "training", "hessian", "phase", "denoising",
    "factorization", "landscape", "spectrum", "critical", "dynamics")]


def test_every_public_core_function_is_covered():
    public = {name for mod in CORE for name in mod.__all__
              if callable(getattr(mod, name)) and not isinstance(getattr(mod, name), type)}
    assert public == set(SPECS), public.symmetric_difference(SPECS)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_argument_has_a_kind(name):
    params = list(inspect.signature(getattr(wdlib, name)).parameters)
    kwargs, kinds = SPECS[name]
    assert set(kwargs) == set(params), "the valid call names every argument"
    assert set(kinds) == set(params), "every argument has a kind"
    assert set(kinds.values()) <= set(BAD)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_valid_calls_succeed(name):
    kwargs, _ = SPECS[name]
    getattr(wdlib, name)(**kwargs)


# bad values per kind: (value, exception type); the id is for readable test names
BAD = {
    "matrix": [
        (np.ones(3), ValueError, "1-D"), (np.ones((2, 3, 1)), ValueError, "3-D"), (5.0, ValueError, "scalar"),
        (np.array([[np.nan, 0.0, 0.0], [0.0, 0.0, 0.0]]), ValueError, "nan"),
        (np.array([[np.inf, 0.0, 0.0], [0.0, 0.0, 0.0]]), ValueError, "inf"),
        (np.array([[-np.inf, 0.0, 0.0], [0.0, 0.0, 0.0]]), ValueError, "-inf"),
        ("abc", TypeError, "str"), (b"ab", TypeError, "bytes"), (None, TypeError, "None"),
        (np.ones((2, 3), dtype=complex), TypeError, "complex"),
        (np.array([[1, "a", 2], [3, 4, 5]], dtype=object), TypeError, "object"),
        (np.array([["a", "b", "c"], ["d", "e", "f"]]), TypeError, "strarray"),
        ([[1, 2, 3], [4, 5]], (TypeError, ValueError), "ragged"),
    ],
    "lam": [(-1.0, ValueError, "neg"), (-1e-300, ValueError, "tinyneg"), (np.nan, ValueError, "nan"), (np.inf, ValueError, "inf"),
            ("1", TypeError, "str"), (True, TypeError, "bool"), (np.bool_(False), TypeError, "npbool"), (None, TypeError, "None"),
            ([0.1], TypeError, "list"), (1j, TypeError, "complex"), (np.array([0.1, 0.2]), TypeError, "array")],
    # lam where per-layer strengths are accepted: a scalar as "lam", or a sequence of L positive values
    "lams": [(-1.0, ValueError, "neg"), (-1e-300, ValueError, "tinyneg"), (np.nan, ValueError, "nan"), (np.inf, ValueError, "inf"),
             ("1", TypeError, "str"), (True, TypeError, "bool"), (np.bool_(False), TypeError, "npbool"), (None, TypeError, "None"),
             (1j, TypeError, "complex"), ([0.1], ValueError, "short-list"), ([0.1] * 6, ValueError, "long-list"),
             ([0.1, -0.2], ValueError, "negentry"), ([0.1, 0.0], ValueError, "zeroentry"), ([0.1, "x"], TypeError, "strentry"),
             ([0.1, np.nan], ValueError, "nanentry"), ([[0.1, 0.2]], TypeError, "nested"), (np.ones((1, 2)), TypeError, "2-D")],
    "depth": [(0, ValueError, "0"), (-1, ValueError, "-1"), (2.5, TypeError, "2.5"), (3.0, TypeError, "3.0"), ("3", TypeError, "str"),
              (True, TypeError, "bool"), (None, TypeError, "None"), (np.float64(3), TypeError, "npfloat")],
    "weights": [([], ValueError, "empty"), ((), ValueError, "emptytuple"),
                ([np.ones((2, 3)), np.ones((2, 3))], ValueError, "nochain"),
                (np.ones((2, 3)), TypeError, "bare-array"), ("abc", TypeError, "str"), (None, TypeError, "None"),
                ([np.ones(3)], ValueError, "1-D-layer"), ([np.array([[np.nan]])], ValueError, "nan-layer"),
                ([np.ones((2, 3), dtype=complex)], TypeError, "complex-layer"), ([np.ones((2, 3)), "x"], TypeError, "str-layer")],
    "rng": [("a", TypeError, "str"), (1.5, TypeError, "float"), (-1, ValueError, "negseed"), (True, TypeError, "bool"),
            (np.random.RandomState(0), TypeError, "RandomState"), ([1, 2], TypeError, "list")],
    "widths": [([1, 1], ValueError, "narrow"), ([0, 2], ValueError, "zero"), ([2], ValueError, "length"), ([2, 2, 2], ValueError, "length3"),
               ([2.5, 2], TypeError, "float"), (["2", 2], TypeError, "str-entry"), ("22", TypeError, "str"), (3, TypeError, "int"),
               ([True, 2], TypeError, "bool-entry")],
    "values": [(-1.0, ValueError, "neg"), ([1.0, -0.5], ValueError, "negentry"), (np.nan, ValueError, "nan"), ([1.0, np.inf], ValueError, "inf"),
               ("a", TypeError, "str"), (1j, TypeError, "complex"), (None, TypeError, "None"), (np.array([1, None], dtype=object), TypeError, "object")],
    "rtol": [(-1.0, ValueError, "neg"), (np.nan, ValueError, "nan"), (np.inf, ValueError, "inf"), ("x", TypeError, "str"), (True, TypeError, "bool"),
             (None, TypeError, "None")],
    "tie": [("foo", ValueError, "foo"), (None, ValueError, "None"), ("Largest", ValueError, "case"), (1, ValueError, "int")],
    "count": [(-1, ValueError, "-1"), (2.5, TypeError, "2.5"), ("3", TypeError, "str"), (True, TypeError, "bool"), (None, TypeError, "None")],
    "steps": [(-1, ValueError, "-1"), (2.5, TypeError, "2.5"), ("3", TypeError, "str"), (True, TypeError, "bool")],
    "positive": [(0.0, ValueError, "0"), (-1.0, ValueError, "neg"), (np.nan, ValueError, "nan"), (np.inf, ValueError, "inf"), ("x", TypeError, "str"), (True, TypeError, "bool")],
    "nonneg": [(-1.0, ValueError, "neg"), (np.nan, ValueError, "nan"), (np.inf, ValueError, "inf"), ("x", TypeError, "str"), (True, TypeError, "bool")],
    "progress": [("no", TypeError, "str"), (1, TypeError, "int"), ([], TypeError, "list")],
    "shape": [("ab", TypeError, "str"), (3, TypeError, "int"), ((2.5, 2), TypeError, "float"), ((-1, 2), ValueError, "neg"), ((), TypeError, "empty")],
}
BAD.update({
    # a matrix whose shape is fixed by the other arguments: (2, 3)
    "matrix23": BAD["matrix"] + [(np.ones((3, 2)), ValueError, "wrong-shape")],
    # per-layer ratios of weight decay at depth 3: a sequence of three positive numbers
    "ratios": [(0.5, TypeError, "scalar"), ("abc", TypeError, "str"),
               ([1.0], ValueError, "short"), ([1.0] * 6, ValueError, "long"),
               ([1.0, 1.0, 0.0], ValueError, "zeroentry"),
               ([1.0, 1.0, -1.0], ValueError, "negentry"),
               ([1.0, 1.0, np.nan], ValueError, "nanentry"),
               ([1.0, 1.0, "x"], TypeError, "strentry"),
               ([[1.0, 1.0, 1.0]], TypeError, "nested")],
    # a grid of lam values (or singular values): a non-empty 1-D array of numbers >= 0
    "grid": [([], ValueError, "empty"), (0.1, ValueError, "scalar"),
             ([[0.1, 0.2]], ValueError, "2-D"), ([0.1, -0.2], ValueError, "negentry"),
             ([0.1, np.nan], ValueError, "nan"), ([0.1, np.inf], ValueError, "inf"),
             ("ab", TypeError, "str"), (None, TypeError, "None"),
             ([0.1, 1j], TypeError, "complex")],
    "depths": [([], TypeError, "empty"), (3, TypeError, "int"),
               (None, TypeError, "None"),
               ([0], ValueError, "zero"), ([2, -1], ValueError, "negentry"),
               ([2.5], TypeError, "float"), ([True], TypeError, "bool"),
               (["3"], TypeError, "strentry")],
    # a flat parameter vector of W23: length N = 10
    "theta": [(np.ones(9), ValueError, "short"), (np.ones(11), ValueError, "long"),
              (np.ones((2, 5)), ValueError, "2-D"), (5.0, ValueError, "scalar"),
              (np.full(10, np.nan), ValueError, "nan"), ("abc", TypeError, "str"),
              (None, TypeError, "None"),
              (np.ones(10, dtype=complex), TypeError, "complex")],
    # a direction in parameter space of W23: one (2, 3) and one (2, 2) array
    "direction": [(np.ones((2, 3)), TypeError, "bare-array"), ("abc", TypeError, "str"),
                  (None, TypeError, "None"), ([np.ones((2, 3))], ValueError, "short"),
                  ([np.ones((2, 3)), np.ones((3, 3))], ValueError, "layer-shape"),
                  ([np.ones((2, 3)), "x"], TypeError, "str-layer"),
                  ([np.ones((2, 3)), np.full((2, 2), np.nan)], ValueError, "nan-layer"),
                  ([np.ones((2, 3)), np.ones((2, 2), dtype=complex)], TypeError,
                   "complex-layer")],
    # starting weights (depth 2 or 3, end-to-end (2, 3)); gradient_descent also takes
    # the string "aligned", so other text is a ValueError there
    "init": [(v, (TypeError, ValueError) if tag == "str" else exc, tag)
             for v, exc, tag in BAD["weights"]]
            + [([np.ones((2, 3))], ValueError, "depth-1")],
    # number of extreme eigenvalues of a network with N = 10 parameters
    "k": [(0, ValueError, "0"), (-1, ValueError, "-1"), (2.5, TypeError, "2.5"),
          ("3", TypeError, "str"), (True, TypeError, "bool"),
          (np.float64(2), TypeError, "npfloat"), (11, ValueError, "above-N")],
    # a count from 1 to min(2, 3) = 2 (a rank, a multiplicity, an order of minors)
    "count2": [(0, ValueError, "0"), (-1, ValueError, "-1"), (2.5, TypeError, "2.5"),
               ("2", TypeError, "str"), (True, TypeError, "bool"),
               (None, TypeError, "None"),
               (3, ValueError, "above-min-shape")],
    "method": [("foo", ValueError, "foo"), (None, ValueError, "None"),
               ("Dense", ValueError, "case"), (1, ValueError, "int")],
    "which": [("foo", ValueError, "foo"), (None, ValueError, "None"),
              ("Largest", ValueError, "case"), ("LA", ValueError, "arpack-code"),
              (1, ValueError, "int")],
    # progress of a Lanczos run: None, a bool, an int >= 1 or a callable
    "callback": [("no", TypeError, "str"), (0, ValueError, "0"), (-1, ValueError, "-1"),
                 (2.5, TypeError, "float"), ([], TypeError, "list")],
    "flag": [("no", TypeError, "str"), (1, TypeError, "int"), (None, TypeError, "None"),
             ([], TypeError, "list")],
    # a shape (d_L, d_0): a tuple of exactly two positive ints
    "shape2": BAD["shape"] + [((2, 3, 4), TypeError, "3-tuple"),
                              ([2, 3], TypeError, "list"), ((0, 3), ValueError, "zero"),
                              ((2, 0), ValueError, "zero-d_0"),
                              ((2, 2.5), TypeError, "float-d_0")],
    # the rank = 2 singular values of the signal: positive
    "signal": [([1.0], ValueError, "short"), ([1.0, 0.0], ValueError, "zeroentry"),
               ([1.0, -1.0], ValueError, "negentry"), ([[1.0, 2.0]], ValueError, "2-D"),
               ("ab", TypeError, "str"), ([1.0, np.nan], ValueError, "nan"),
               ([1.0, 1j], TypeError, "complex")],
    # the min(2, 3) - 1 = 1 singular value besides y_c, at least 10% away from it
    "others": [([1.0, 2.0], ValueError, "long"), ([-1.0], ValueError, "neg"),
               ([np.nan], ValueError, "nan"), ("ab", TypeError, "str"),
               ([1j], TypeError, "complex"), ([1.05 * YC], ValueError, "near-y_c")],
    "poslam": BAD["lam"] + [(0.0, ValueError, "zero")],
    "deepdepth": BAD["depth"] + [(1, ValueError, "1"), (2, ValueError, "2")],
    # an orthogonal projector on R^1 (Y has y_c once)
    "projector": BAD["matrix"] + [(np.eye(2), ValueError, "wrong-shape"),
                                  (np.array([[0.5]]), ValueError, "not-idempotent")],
    "ts": [(0.5, ValueError, "scalar"), ([[0.5]], ValueError, "2-D"),
           ([0.0, np.nan], ValueError, "nan"), ([0.0, np.inf], ValueError, "inf"),
           ("ab", TypeError, "str"), (None, TypeError, "None"),
           ([1j], TypeError, "complex"),
           (np.array([0.5, None], dtype=object), TypeError, "object")],
    # output sizes of the layers grown from a first layer of rank 2
    "sizes": [("22", TypeError, "str"), (3, TypeError, "int"),
              (None, TypeError, "None"),
              ([0], ValueError, "zero"), ([2.5], TypeError, "float"),
              (["2"], TypeError, "strentry"), ([True], TypeError, "bool"),
              ([1], ValueError, "below-rank")],
    "num": [(4, ValueError, "4"), (-1, ValueError, "-1"), (2.5, TypeError, "2.5"),
            ("9", TypeError, "str"), (True, TypeError, "bool"),
            (None, TypeError, "None")],
    # the rank of a balanced point with layer sizes [3, 2, 2]: 0 to 2
    "rank": [(-1, ValueError, "-1"), (2.5, TypeError, "2.5"), ("1", TypeError, "str"),
             (True, TypeError, "bool"), (None, TypeError, "None"),
             (3, ValueError, "above-min-dims")],
    "dims": [("322", TypeError, "str"), (3, TypeError, "int"),
             (None, TypeError, "None"),
             ([3], ValueError, "short"), ([3, 0, 2], ValueError, "zero"),
             ([3, 2.5, 2], TypeError, "float"), ([3, True, 2], TypeError, "bool"),
             ([3, "2", 2], TypeError, "strentry")],
    # critical values s_i of the two modes of Y2 (lam = 0.1, depth 3)
    "critical_s": BAD["values"] + [([S2[0]], ValueError, "short"),
                                   ([[0.0, 0.0]], ValueError, "2-D"),
                                   ([0.5, 0.0], ValueError, "not-critical")],
    # starting singular values of the k = 2 modes: a scalar or two values
    "s0": BAD["values"] + [([0.1, 0.2, 0.3], ValueError, "long"),
                           ([[0.1, 0.2]], ValueError, "2-D")],
})

# message fragment that must appear for each argument (the argument's name)
# (anchored: the message must START with the argument name, not merely contain the letters)
MATCH = {"shape_or_Y": r"^Y\b"}

# bad values that are valid for one function: widths of 1 need no target rank
# (random starts, the Hessian at zero)
SKIP = {(fname, "widths", "narrow") for fname in ("init_weights", "gradient_descent",
                                                  "steps_to_tolerance",
                                                  "zero_hessian_eigenvalues")}

PAIRS = [pytest.param(fname, arg, id=f"{fname}-{arg}")
         for fname, (_, kinds) in sorted(SPECS.items()) for arg in kinds]


# one test per (function, argument), trying every bad value of the argument's kind
# (one test per value would triple the run time of this file)
@pytest.mark.parametrize("fname,arg", PAIRS)
def test_bad_argument_raises_naming_it(fname, arg):
    valid, kinds = SPECS[fname]
    pattern = MATCH.get(arg, rf"^{re.escape(arg)}\b")
    failures = []
    for value, exc, tag in BAD[kinds[arg]]:
        if (fname, arg, tag) in SKIP or (value is None and valid[arg] is None):
            continue  # valid there (None: the valid call passes the default None)
        try:
            getattr(wdlib, fname)(**dict(valid, **{arg: value}))
        except exc as err:
            if not re.search(pattern, str(err)):
                failures.append(f"{tag}: message does not match {pattern!r}: {err}")
        except Exception as err:
            failures.append(f"{tag}: expected {exc}, got {type(err).__name__}: {err}")
        else:
            failures.append(f"{tag}: no error")
    assert not failures, "\n".join(failures)


# valid values at the bounds of the checks (so that a tightened bound is noticed)
EDGE = [
    ("orbit_dimension", dict(rank=0, dims=[3, 2, 2])),
    ("orbit_dimension", dict(rank=2, dims=[2, 2])),  # rank = min(dims), depth 1
    ("hessian_spectrum", dict(WYL, k=10, progress=1)),  # k = N; progress every product
    ("hessian_spectrum_at_critical",
     dict(Y=Y2, lam=0.1, depth=3, singular_values=S2, multiplicities=np.True_)),
    ("unflatten_params", dict(theta=np.arange(10), weights=W23)),  # ints
    ("objective_on_segment", dict(weights_a=W23, weights_b=W23, Y=Y23, lam=0.0, ts=[])),
    ("optimality_report", dict(weights=W23, Y=Y23, lam=0.1, h=np.float32(1e-3))),
    ("tie_minimizer", dict(Y=YEX, lam=0.1, depth=3, projector=np.zeros((1, 1)))),
]


@pytest.mark.parametrize("fname,kwargs", EDGE,
                         ids=[f"{f}-{i}" for i, (f, _) in enumerate(EDGE)])
def test_values_at_the_bounds_are_valid(fname, kwargs):
    getattr(wdlib, fname)(**kwargs)


# --------------------------------------------------------------------- specific messages

@pytest.mark.parametrize("fname", ["loss", "grad"])
def test_Y_shape_must_match_weights(fname):
    for Y in (np.ones((3, 2)), np.ones((2, 2)), np.ones((1, 3))):
        with pytest.raises(ValueError, match=r"Y must have the shape .*\(2, 3\)"):
            getattr(wdlib, fname)(W23, Y, 0.1)


def test_gradient_descent_init_validation():
    with pytest.raises(ValueError, match="Y must have the shape"):
        wdlib.gradient_descent(Y23, 0.1, 2, init=[np.ones((2, 2)), np.ones((2, 2))])
    with pytest.raises(ValueError, match="init"):
        wdlib.gradient_descent(Y23, 0.1, 2, init=[np.ones((2, 3)), np.ones((2, 3))])
    with pytest.raises(ValueError, match="init"):
        wdlib.gradient_descent(Y23, 0.1, 2, init=[])
    with pytest.raises(TypeError, match="init"):
        wdlib.gradient_descent(Y23, 0.1, 1, init=np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"init\[1\]"):
        wdlib.gradient_descent(Y23, 0.1, 2, init=[np.ones((2, 3)), np.array([[np.nan, 0.0], [0.0, 0.0]])])
    # init fixes the layer shapes but must have `depth` layers, more or fewer
    W3 = [np.ones((2, 3)), np.ones((2, 2)), np.ones((2, 2))]
    for fit in (lambda init: wdlib.gradient_descent(Y23, 0.1, 2, steps=1, init=init),
                lambda init: wdlib.continuation(Y23, [0.1], 2, init, steps=1)):
        for init in (W3, W3[:1]):
            message = rf"^init must have depth = 2 layers, got {len(init)}"
            with pytest.raises(ValueError, match=message):
                fit(init)


@pytest.mark.parametrize("depth", [2, 3, 5])
def test_widths_too_narrow_say_the_width_needed(depth):
    Y = np.diag([3.0, 2.0, 1.0])  # rank 3
    widths = [3] * (depth - 1)
    widths[depth // 2 - 1] = 2
    i = depth // 2 - 1
    for call in (lambda: wdlib.balanced_factors(Y, depth, widths=widths),
                 lambda: wdlib.minimizer_factors(Y, 0.0, depth, widths=widths)):
        with pytest.raises(ValueError, match=rf"widths\[{i}\] = 2 is too narrow.*rank 3.*>= 3"):
            call()
    # the minimizer's rank decides: with lam killing the smallest singular value width 2 suffices
    lam = wdlib.collapse_lambdas(Y, depth)[2] * 1.01
    assert len(wdlib.minimizer_factors(Y, lam, depth, widths=widths)) == depth
    with pytest.raises(ValueError, match=r"too narrow.*>= 2"):
        wdlib.minimizer_factors(Y, lam, depth, widths=[1] * (depth - 1))


def test_depth_one_widths():
    with pytest.raises(ValueError, match="widths"):
        wdlib.balanced_factors(Y23, 1, widths=[2])
    with pytest.raises(TypeError, match="widths"):
        wdlib.balanced_factors(Y23, 1, widths=5)
    with pytest.raises(ValueError, match="widths"):
        wdlib.init_weights(Y23, 1, widths=[2])
    with pytest.raises(ValueError, match="widths"):
        wdlib.gradient_descent(Y23, 0.1, 1, widths=[2])
    assert len(wdlib.min_norm_factorization(Y23, 1, widths=[])) == 1
    with pytest.raises(ValueError, match=r"^widths"):
        wdlib.min_norm_factorization(Y23, 1, widths=[2])
    with pytest.raises(TypeError, match=r"^widths"):
        wdlib.min_norm_factorization(Y23, 1, widths=5)


def test_init_weights_shape_tuple():
    for shape in ((0, 3), (2, -1), (2, 3, 4), ()):
        with pytest.raises(ValueError, match=r"^shape_or_Y"):
            wdlib.init_weights(shape, 2)
    for shape in ((2.0, 3.0), (True, 3), ("2", 3)):
        with pytest.raises(TypeError, match=r"^shape_or_Y\[0\]"):
            wdlib.init_weights(shape, 2)
    with pytest.raises(ValueError, match=r"^Y must be a 2-D"):  # a list is an array, not a shape
        wdlib.init_weights([2, 3], 2)
    # nested tuples are a matrix, not a shape
    assert [w.shape for w in wdlib.init_weights(((1.0, 2.0), (3.0, 4.0), (5.0, 6.0)), 2)] == [(2, 2), (3, 2)]


def test_numerical_rank_multidimensional_values():
    with pytest.raises(ValueError, match="singular_values"):
        wdlib.numerical_rank([[1.0, 2.0]], (2, 2))


def test_validation_happens_before_work_and_inputs_untouched():
    Y = Y23.copy()
    with pytest.raises(ValueError, match="lam"):
        wdlib.minimizer(Y, -1.0, 3)
    np.testing.assert_array_equal(Y, Y23)
    # numpy scalar types and 0-d arrays are accepted where a number is expected
    assert wdlib.critical_singular_value(np.float32(0.5), np.int32(3)) == pytest.approx(wdlib.critical_singular_value(0.5, 3), rel=1e-7)
    assert wdlib.critical_singular_value(np.array(0.5), 3) == wdlib.critical_singular_value(0.5, 3)
    assert wdlib.threshold_constant(np.uint8(5)) == wdlib.threshold_constant(5)


# --------------------------------------------------------------------- the helpers themselves

def test_validate_helpers_directly():
    from wdlib import _validate as v

    A = v.as_matrix(np.array([[1, 2]], dtype=np.int8), "A")
    assert A.dtype == np.float64 and A.shape == (1, 2)
    with pytest.warns(PendingDeprecationWarning):
        M = np.matrix([[1.0, 2.0]])
    assert v.as_matrix(M, "A").__class__ is np.ndarray  # subclasses stripped (np.matrix '*' would be matmul)
    assert v.as_matrix(np.array([[True, False]]), "A").dtype == np.float64
    with pytest.raises(ValueError, match=r"^Q must be finite"):
        v.as_matrix([[np.nan]], "Q")
    assert v.check_lam(np.float32(0.25)) == 0.25 and isinstance(v.check_lam(1), float)
    assert v.check_lam(np.array(2.0)) == 2.0
    with pytest.raises(TypeError, match=r"^gamma"):
        v.check_lam(np.array(True), name="gamma")
    assert v.check_depth(np.uint16(7)) == 7
    with pytest.raises(ValueError, match=r"^k must be an integer >= 2"):
        v.check_depth(1, name="k", minimum=2)
    assert v.check_positive_float(0, "x", allow_zero=True) == 0.0
    with pytest.raises(ValueError, match=r"^x must be a finite real number > 0"):
        v.check_positive_float(0, "x")
    g = np.random.default_rng(1)
    assert v.check_rng(g) is g
    assert isinstance(v.check_rng(np.int64(3)), np.random.Generator)
    np.testing.assert_array_equal(v.check_rng(5).standard_normal(3), np.random.default_rng(5).standard_normal(3))
    assert v.check_widths((np.int32(3), 4), 3, min_width=3) == [3, 4]
    with pytest.raises(ValueError, match=r"^widths\[1\] = 2 is too narrow: the target has rank 3, so every hidden width must be >= 3"):
        v.check_widths([3, 2], 3, min_width=3)
    W = v.check_weights(([[1, 2]], [[1], [2]]))  # tuple of nested lists, chains 2 -> 1 -> 2
    assert [w.shape for w in W] == [(1, 2), (2, 1)] and all(w.dtype == np.float64 for w in W)
    with pytest.raises(ValueError, match=r"^W: shapes do not chain: W\[1\] has shape \(2, 3\)"):
        v.check_weights([np.ones((2, 2)), np.ones((2, 3))], name="W")
    y = v.as_nonnegative_array([[0, 1], [2, 3]], "y")
    assert y.dtype == np.float64 and y.shape == (2, 2)
