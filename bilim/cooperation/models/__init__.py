"""The international office's data (C1–C8). One module per part; Django sees them all here."""

from .office import *  # noqa: F401,F403
from .foreigners import *  # noqa: F401,F403
from .mobility import *  # noqa: F401,F403
from .agreements import *  # noqa: F401,F403
