"""Plotting helpers: every figure of the book is drawn by one of these from computed data.

Each helper returns the :class:`matplotlib.figure.Figure` it drew.
"""

from ._style import COLORS, RC, new_figure  # noqa: F401
from .balance import *  # noqa: F401,F403
from .balance import __all__ as _balance_all
from .rescaling import *  # noqa: F401,F403
from .rescaling import __all__ as _rescaling_all
from .schatten import *  # noqa: F401,F403
from .schatten import __all__ as _schatten_all
from .scalar import *  # noqa: F401,F403
from .scalar import __all__ as _scalar_all
from .landscape import *  # noqa: F401,F403
from .landscape import __all__ as _landscape_all
from .hessian import *  # noqa: F401,F403
from .hessian import __all__ as _hessian_all
from .phase import *  # noqa: F401,F403
from .phase import __all__ as _phase_all
from .training import *  # noqa: F401,F403
from .training import __all__ as _training_all
from .spectrum import *  # noqa: F401,F403
from .spectrum import __all__ as _spectrum_all
from .dynamics import *  # noqa: F401,F403
from .dynamics import __all__ as _dynamics_all
from .overview import *  # noqa: F401,F403
from .overview import __all__ as _overview_all

__all__ = ["COLORS", "RC", "new_figure", *_balance_all, *_rescaling_all, *_schatten_all, *_scalar_all, *_landscape_all, *_hessian_all, *_phase_all, *_training_all, *_spectrum_all, *_dynamics_all, *_overview_all]
