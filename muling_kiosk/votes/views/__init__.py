"""The pages of 板凳议事会, one module per audience, all on the one blueprint "votes":

- kiosk: anyone at the shared tablet: the tile, the public board, the pass-the-tablet ballot;
- phone: a resident's phone, from the QR code (/m/v/…);
- tv: the TV in the meeting room (/vote/tv/…);
- run: the facilitator running a meeting on the tablet in staff mode (/vote/run/…);
- console: staff at the console (/staff/votes/…).

common holds what several of them share; the rules themselves are in services.
"""

from flask import Blueprint

from . import console, kiosk, phone, run, tv
from .common import item_notes

bp = Blueprint("votes", __name__)
bp.add_app_template_global(item_notes)
for audience in (kiosk, phone, tv, run, console):
    audience.routes.register(bp)
