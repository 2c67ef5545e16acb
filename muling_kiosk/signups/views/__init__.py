"""The pages of 长者学堂, one module per audience, all on the one blueprint "signups":

- kiosk: anyone at the shared tablet: the class list, signing up in three screens, the
  success, queue and already-signed-up screens, 我的报名 and cancelling (/classes/…);
- checkin: a volunteer or facilitator on the tablet in staff mode: 上课签到 and walk-ins
  (/classes/checkin/…);
- console: staff at the console: courses, sessions, rosters, sign-in sheets, downloads and
  call lists (/staff/classes/…).

common holds what several of them share; the rules themselves are in services.
"""

from flask import Blueprint

from . import checkin, console, kiosk
from .common import signups_context

bp = Blueprint("signups", __name__)
bp.context_processor(signups_context)
for audience in (kiosk, checkin, console):
    audience.routes.register(bp)
