r"""wdlib: the helper library of *Weight Decay in Deep Linear Networks*.

Every formula here is derived in a chapter of the book and tested in
``tests/`` against an independent computation. Conventions follow the book's
notation page: ``weights = [W_1, ..., W_L]`` with ``W_l`` of shape
``(d_l, d_{l-1})``, end-to-end matrix ``P = W_L ... W_1`` and objective
``F = 1/2 ||P - Y||_F^2 + lam/2 sum_l ||W_l||_F^2``.

All computations are in double precision: integer and ``float32`` inputs are
converted to ``float64``.

``wdlib.plotting`` (which needs ``matplotlib.pyplot``) is imported lazily, on
first use of ``wdlib.plotting``: ``import wdlib`` alone loads NumPy and SciPy only.
"""

import importlib as _importlib

from .model import *  # noqa: F401,F403
from .model import __all__ as _model_all
from .balance import *  # noqa: F401,F403
from .balance import __all__ as _balance_all
from .scalar import *  # noqa: F401,F403
from .scalar import __all__ as _scalar_all
from .solve import *  # noqa: F401,F403
from .solve import __all__ as _solve_all
from .training import *  # noqa: F401,F403
from .training import __all__ as _training_all
from .relu import *  # noqa: F401,F403
from .relu import __all__ as _relu_all
from .factorization import *  # noqa: F401,F403
from .factorization import __all__ as _factorization_all
from .landscape import *  # noqa: F401,F403
from .landscape import __all__ as _landscape_all
from .hessian import *  # noqa: F401,F403
from .hessian import __all__ as _hessian_all
from .phase import *  # noqa: F401,F403
from .phase import __all__ as _phase_all
from .denoising import *  # noqa: F401,F403
from .denoising import __all__ as _denoising_all
from .spectrum import *  # noqa: F401,F403
from .spectrum import __all__ as _spectrum_all
from .critical import *  # noqa: F401,F403
from .critical import __all__ as _critical_all
from .dynamics import *  # noqa: F401,F403
from .dynamics import __all__ as _dynamics_all

#: The single source of the version (pyproject.toml reads it from here).
__version__ = "0.1.0"

__all__ = ["plotting", *_model_all, *_balance_all, *_scalar_all, *_solve_all, *_training_all, *_relu_all, *_factorization_all, *_landscape_all, *_hessian_all, *_phase_all, *_denoising_all, *_spectrum_all, *_critical_all, *_dynamics_all]


def __getattr__(name):
    # Lazy submodule: ``wdlib.plotting`` imports matplotlib.pyplot only when used.
    if name == "plotting":
        module = _importlib.import_module(".plotting", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | {"plotting"})
