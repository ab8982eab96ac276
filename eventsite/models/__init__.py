"""The entities of eventsite, one module per domain; everything is importable from here."""
from .bookings import *  # noqa: F403
from .events import *  # noqa: F403
from .mail import *  # noqa: F403
from .notices import *  # noqa: F403
from .people import *  # noqa: F403
from .questions import *  # noqa: F403
