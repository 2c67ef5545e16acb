"""百姓畅言栏, the public board: what staff put on it, and the replies it shows."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ..models import Suggestion, SuggestionEvent
from .vocabulary import CATEGORIES, MERGED, SUBMITTED


def board_query(community_id: int, category: str = ""):
    """Suggestions staff have looked at, newest first: what is only 已提交 may still hold
    something not for everyone's eyes, and merged ones appear as the one they joined."""
    query = select(Suggestion).where(
        Suggestion.community_id == community_id, Suggestion.on_board.is_(True),
        Suggestion.state.not_in((SUBMITTED, MERGED)))
    if category in CATEGORIES:
        query = query.where(Suggestion.category == category)
    # The replies of the whole page in one query, not one per suggestion.
    return (query.options(selectinload(Suggestion.events))
            .order_by(Suggestion.created_at.desc(), Suggestion.id.desc()))


def board_item(community_id: int, suggestion_id: int) -> Suggestion | None:
    """One suggestion of the board, or None if the board does not show it."""
    return db.session.scalar(board_query(community_id).where(Suggestion.id == suggestion_id))


def board_replies(suggestion: Suggestion) -> list[SuggestionEvent]:
    """The community's replies, oldest first. Not the resident's rating comment: they wrote
    it for the community, not for the board (the board shows the rating itself)."""
    return [e for e in suggestion.events
            if e.public and e.kind in ("state", "note") and e.public_text]

