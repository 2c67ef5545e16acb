"""The pages of 长者学堂, one module per audience, all on the one blueprint "signups":

- kiosk: anyone at the shared tablet: the class list, signing up in three screens, the
  success, queue and already-signed-up screens, 我的报名 and cancelling (/classes/…);
- checkin: a volunteer or facilitator on the tablet in staff mode: 上课签到 and walk-ins
  (/classes/checkin/…);
- console: staff at the console: courses, sessions, rosters, sign-in sheets, downloads and
  call lists (/staff/classes/…).

The blueprint lives in common (with what the audiences share): the audience modules register
their routes on it and this package imports them, so defined here it would make an import
cycle. Importing them here is what registers the routes; create_app imports bp.
"""

from . import checkin, console, kiosk  # noqa: F401  (their routes register)
from .common import bp

__all__ = ["bp"]
