"""百姓畅言亭 suggestions: one blueprint, its views one module per audience.

- writing: the tablet's and phones' forms, drafts, 请确认 and receipts (/suggest/…, /m/s/…);
- tracking: a resident following and rating their suggestion on a phone (/m/t/…);
- board: the public board on the web and on the tablet (/board, /suggest/board/…);
- console: the staff pages (/staff/suggestions/…).

The blueprint lives in common (with what the audiences share), because the audience modules
register their routes on it and this package imports them: defined here, it would make an
import cycle. Importing them here is what registers the routes; create_app imports bp.
"""

from . import board, console, tracking, writing  # noqa: F401  (their routes register)
from .common import bp

__all__ = ["bp"]
