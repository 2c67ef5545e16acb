"""The pages of 板凳议事会, one module per audience, all on the one blueprint "votes":

- kiosk: anyone at the shared tablet: the tile, the public board, the pass-the-tablet ballot;
- phone: a resident's phone, from the QR code (/m/v/…);
- tv: the TV in the meeting room (/vote/tv/…);
- run: the facilitator running a meeting on the tablet in staff mode (/vote/run/…);
- console: staff at the console (/staff/votes/…).

The blueprint lives in common (with what the audiences share): the audience modules register
their routes on it and this package imports them, so defined here it would make an import
cycle. Importing them here is what registers the routes; create_app imports bp.
"""

from . import console, kiosk, phone, run, tv  # noqa: F401  (their routes register)
from .common import bp

__all__ = ["bp"]
