"""Supported languages, the locale selector, and dates as people say them."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request
from flask_babel import format_datetime, get_locale, ngettext

# Babel's locale name → the BCP 47 tag for <html lang> and speech.
LOCALES = {"zh_Hans": "zh-Hans", "en": "en"}
DEFAULT_LOCALE = "zh_Hans"
LANG_COOKIE = "lang"

# How a date and a time read aloud: 11月26日 星期四 上午9:00 / Thursday 26 November, 9:00 AM.
PATTERNS = {
    "zh_Hans": {"when": "M月d日 EEEE ah:mm", "day": "M月d日 EEEE", "time": "ah:mm",
                "date": "yyyy年M月d日"},
    "en": {"when": "EEEE d MMMM, h:mm a", "day": "EEEE d MMMM", "time": "h:mm a",
           "date": "d MMMM yyyy"},
}


def select_locale() -> str:
    """The browser's choice (cookie), else its Accept-Language (any zh-* is zh_Hans), else zh.
    Outside a request (the command line), Chinese."""
    if not has_request_context():
        return DEFAULT_LOCALE
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LOCALES:
        return chosen
    for tag, _quality in request.accept_languages:
        tag = tag.lower()
        if tag.startswith("zh"):
            return "zh_Hans"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LOCALE


def current_locale() -> str:
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh_Hans"


def html_lang() -> str:
    return LOCALES[current_locale()]


def speech_lang() -> str:
    return "en-US" if current_locale() == "en" else "zh-CN"


def format_when(value: datetime | None, style: str = "when") -> str:
    """A UTC datetime shown in the community's time zone, in words."""
    if value is None:
        return ""
    return format_datetime(value, PATTERNS[current_locale()][style])


def register_filters(app) -> None:
    app.jinja_env.filters["when"] = format_when
    app.jinja_env.filters["day"] = lambda v: format_when(v, "day")
    app.jinja_env.filters["time"] = lambda v: format_when(v, "time")
    app.jinja_env.filters["date"] = lambda v: format_when(v, "date")
    app.jinja_env.filters["duration"] = format_duration
    app.jinja_env.globals.update(html_lang=html_lang, speech_lang=speech_lang,
                                 current_locale=current_locale)
    app.jinja_env.policies["ext.i18n.trimmed"] = True


def local_zone() -> ZoneInfo:
    """The community's time zone (MULING_TIMEZONE): times are stored in UTC and shown, typed
    and grouped by day in this zone."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def format_duration(seconds: int) -> str:
    """90 → "90 秒" / "90 seconds"; 300 → "5 分钟" / "5 minutes"."""
    if seconds % 60 == 0 and seconds >= 120:
        return ngettext("%(num)s minute", "%(num)s minutes", seconds // 60)
    return ngettext("%(num)s second", "%(num)s seconds", seconds)
