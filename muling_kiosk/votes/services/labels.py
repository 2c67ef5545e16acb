"""Stored values in the reader's words: the names of rules, quorums, channels, results and
options, the usual promisers, and a poll's result as one line."""

from flask_babel import lazy_gettext as _l

from ..models import (
    ABSTAIN,
    CLOSED,
    FAILED,
    HAND,
    MAJORITY,
    NO,
    NO_QUORUM,
    PASS,
    PASSED,
    PHONE,
    QUORUM_BALLOTS,
    QUORUM_NONE,
    QUORUM_PRESENT,
    TWO_THIRDS,
    YES,
    YES_OVER_NO,
    Poll,
)

# The usual promisers are stored as written in Chinese (the record keeps its words); a reader
# of another language sees them translated.
WHO_NAMES = {
    "楼栋长": _l("Building leader"),
    "单元长": _l("Stairwell leader"),
    "物业公司": _l("Property management company"),
    "社区": _l("Community office"),
}

RULE_NAMES = {
    YES_OVER_NO: _l("More yes than no"),
    MAJORITY: _l("More than half of all ballots"),
    TWO_THIRDS: _l("At least two thirds of all ballots"),
}
# With the poll's own options there is no 赞成 and no 反对: "more yes than no" reads as the
# option with the most ballots (the same rule, decide() counts it so).
CUSTOM_RULE_NAMES = {YES_OVER_NO: _l("The option with the most ballots")}
RULE_HINTS = {
    YES_OVER_NO: _l("Abstentions do not count. With your own options: the one with the most "
                    "ballots wins, if no other has as many."),
    MAJORITY: _l("Abstentions count among all ballots."),
    TWO_THIRDS: _l("For important matters. Abstentions count among all ballots."),
}
QUORUM_NAMES = {
    QUORUM_NONE: _l("No minimum"),
    QUORUM_BALLOTS: _l("At least this many ballots"),
    QUORUM_PRESENT: _l("At least this many people present"),
}
CHANNEL_NAMES = {HAND: _l("Show of hands"), PASS: _l("Pass the tablet"),
                 PHONE: _l("Scan with a phone")}
RESULT_NAMES = {PASSED: _l("Passed"), FAILED: _l("Not passed"),
                NO_QUORUM: _l("Not enough people (quorum not reached)")}
OPTION_NAMES = {YES: _l("Yes"), NO: _l("No"), ABSTAIN: _l("Abstain")}


def option_label(option) -> str:
    """赞成 / 反对 / 弃权 in the reader's language; a custom option as it was written."""
    kind = option.kind if hasattr(option, "kind") else option.get("kind")
    label = option.label if hasattr(option, "label") else option.get("label")
    return str(OPTION_NAMES[kind]) if kind in OPTION_NAMES else label


def who_label(who: str) -> str:
    """Who promised, in the reader's language when it is one of the usual promisers."""
    return str(WHO_NAMES[who]) if who in WHO_NAMES else who


def rule_label(poll: Poll) -> str:
    """The decision rule as the reader says it, for this poll's kind of options."""
    if not poll.is_yes_no and poll.rule in CUSTOM_RULE_NAMES:
        return str(CUSTOM_RULE_NAMES[poll.rule])
    return str(RULE_NAMES[poll.rule])


def winner_label(poll: Poll) -> str | None:
    if not poll.figures or poll.figures.get("winner_id") is None:
        return None
    found = next((o for o in poll.figures["options"] if o["id"] == poll.figures["winner_id"]),
                 None)
    return option_label(found) if found else None


def quorum_text(poll: Poll) -> str:
    if poll.quorum_kind == QUORUM_BALLOTS:
        return str(_l("At least %(count)s ballots", count=poll.quorum_value))
    if poll.quorum_kind == QUORUM_PRESENT:
        return str(_l("At least %(count)s people present", count=poll.quorum_value))
    return str(QUORUM_NAMES[QUORUM_NONE])


def result_text(poll: Poll) -> str:
    if poll.status != CLOSED:
        return str(_l("Voting"))
    text = str(RESULT_NAMES[poll.result])
    winner = winner_label(poll)
    if winner and not poll.is_yes_no:
        text = str(_l("%(result)s: %(option)s", result=text, option=winner))
    return text
