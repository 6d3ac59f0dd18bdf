"""Bad input to every public function of the core modules raises TypeError/ValueError
whose message names the offending argument.

Core modules: wdlib.model, wdlib.balance, wdlib.scalar, wdlib.solve, wdlib.training.
A table lists, for each function, a valid call and the kind of each argument;
bad values of each kind are generated from it.
"""

import re

import numpy as np
import pytest

import wdlib
from wdlib import balance, model, scalar, solve, training

Y23 = np.arange(6.0).reshape(2, 3) / 3
W23 = [np.ones((2, 3)) / 3, np.ones((2, 2)) / 2]  # chains (3 -> 2 -> 2), end-to-end (2, 3)

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
    "minimizer_factors": (dict(Y=Y23, lam=0.1, depth=3, widths=None, tie="largest", rtol=1e-10), {"Y": "matrix", "lam": "lams", "depth": "depth", "widths": "widths", "tie": "tie", "rtol": "rtol"}),
    "minimum_value": (dict(Y=Y23, lam=0.1, depth=3), {"Y": "matrix", "lam": "lams", "depth": "depth"}),
    "is_exceptional": (dict(Y=Y23, lam=0.1, depth=3, rtol=1e-10), {"Y": "matrix", "lam": "lam", "depth": "depth", "rtol": "rtol"}),
    "init_weights": (dict(shape_or_Y=Y23, depth=3, widths=None, init_scale=0.1, rng=0), {"shape_or_Y": "matrix", "depth": "depth", "widths": "widths", "init_scale": "nonneg", "rng": "rng"}),
    "gradient_descent": (dict(Y=Y23, depth=3, lam=0.1, steps=3, lr=1e-2, init_scale=0.1, rng=0, tol=None, progress=False),
                         {"Y": "matrix", "depth": "depth", "lam": "lams", "steps": "steps", "lr": "positive", "init_scale": "nonneg", "rng": "rng", "tol": "nonneg", "progress": "progress"}),
}

CORE = [model, balance, scalar, solve, training]


def test_every_public_core_function_is_covered():
    public = {name for mod in CORE for name in mod.__all__
              if callable(getattr(mod, name)) and not isinstance(getattr(mod, name), type)}
    assert public == set(SPECS), public.symmetric_difference(SPECS)


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
    "widths": [([1], ValueError, "narrow"), ([0, 2], ValueError, "zero"), ([2], ValueError, "length"), ([2, 2, 2], ValueError, "length3"),
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

# message fragment that must appear for each argument (the argument's name)
# (anchored: the message must START with the argument name, not merely contain the letters)
MATCH = {"shape_or_Y": r"^Y\b"}

CASES = []
for fname, (kwargs, kinds) in sorted(SPECS.items()):
    for arg, kind in kinds.items():
        for value, exc, tag in BAD[kind]:
            if kind == "widths" and tag == "narrow" and fname == "init_weights":
                continue  # init_weights has no target rank: width 1 is allowed
            CASES.append(pytest.param(fname, arg, value, exc, id=f"{fname}-{arg}-{tag}"))


@pytest.mark.parametrize("fname,arg,value,exc", CASES)
def test_bad_argument_raises_naming_it(fname, arg, value, exc):
    kwargs, _ = SPECS[fname]
    kwargs = dict(kwargs)
    kwargs[arg] = value
    if fname in ("balanced_factors", "minimizer_factors") and arg == "widths":
        # a rank-2 target at depth 3: widths [d_1, d_2], each must be >= 2
        kwargs["P" if fname == "balanced_factors" else "Y"] = Y23 if fname == "balanced_factors" else Y23 + np.eye(2, 3)
    pattern = MATCH.get(arg, rf"^{re.escape(arg)}\b")
    with pytest.raises(exc, match=pattern):
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
    assert v.check_widths((np.int32(3), 4), 3, 2, 2, min_width=3) == [3, 4]
    with pytest.raises(ValueError, match=r"^widths\[1\] = 2 is too narrow: the target has rank 3, so every hidden width must be >= 3"):
        v.check_widths([3, 2], 3, 2, 2, min_width=3)
    W = v.check_weights(([[1, 2]], [[1], [2]]))  # tuple of nested lists, chains 2 -> 1 -> 2
    assert [w.shape for w in W] == [(1, 2), (2, 1)] and all(w.dtype == np.float64 for w in W)
    with pytest.raises(ValueError, match=r"^W: shapes do not chain: W\[1\] has shape \(2, 3\)"):
        v.check_weights([np.ones((2, 2)), np.ones((2, 3))], name="W")
    y = v.as_nonnegative_array([[0, 1], [2, 3]], "y")
    assert y.dtype == np.float64 and y.shape == (2, 2)
