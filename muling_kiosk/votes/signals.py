"""Signals other features can connect to.

poll_closed is sent with the Poll as sender, inside the closing transaction, after its result
and figures are frozen and before the commit: a receiver may add rows to the same session
(db.session), and they commit together with the close, or not at all. A receiver must not
change the poll itself (the data layer refuses it)::

    from muling_kiosk.votes.signals import poll_closed

    @poll_closed.connect
    def note_result(poll, **_extra):
        ...  # poll.result, poll.item, poll.figures
"""

from flask.signals import Namespace

_signals = Namespace()

poll_closed = _signals.signal("votes.poll-closed")

# Sent with the AgendaItem as sender (keyword: actor, the staff member or None) inside the
# transaction that removes it, before the row goes: a receiver can still read the item and its
# meeting, and what it adds commits with the removal.
agenda_item_removed = _signals.signal("votes.agenda-item-removed")

# Asked with the AgendaItem as sender (keyword: view, "console" | "tablet" | "line" | "public")
# while a meeting screen is drawn: a receiver returns HTML to show under the item (Markup; it
# must escape what it shows), or "" — e.g. the suggestion the item came from. Templates call
# the `item_notes(item, view)` global.
describe_item = _signals.signal("votes.describe-item")
