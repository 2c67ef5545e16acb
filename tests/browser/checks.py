"""Reusable checks of ACCESSIBILITY.md for any page a browser test visits.

    check_screen(page, "signups-confirm", kind="kiosk")

runs axe-core (WCAG 2.x A/AA plus target-size and color-contrast-enhanced), measures every
tappable element and every visible text, checks line spacing, that every asset is same-origin,
the layout (no sideways scrolling anywhere; on the kiosk and the TV nothing a step needs
below the fold; no text squeezed into a column narrower than two characters), then takes a
screenshot and compares it with its approved copy in docs/screenshots/ (see `pictures.py`).
kind is "kiosk" (tablet), "phone", "console" or "tv".
"""

import os
from pathlib import Path
from urllib.parse import urlparse

from axe_playwright_python.sync_playwright import Axe

from .conftest import SCREENSHOT_DIR
from .pictures import compare_with_approved, volatile_boxes

HERE = Path(__file__).parent

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "rules": {"target-size": {"enabled": True}, "color-contrast-enhanced": {"enabled": True}},
    "resultTypes": ["violations"],
}
# (smallest text px, smallest target px, gap between targets px)
LIMITS = {"kiosk": (24, 64, 24), "phone": (18, 48, 0), "console": (16, 24, 0),
          "tv": (24, 64, 24)}
# MULING_LAYOUT_REPORT=path: append layout problems to that file instead of failing.
LAYOUT_REPORT = os.environ.get("MULING_LAYOUT_REPORT")
# Screens where a person cannot scroll: what a step needs is inside the viewport.
NO_FOLD = {"kiosk", "tv"}

_axe = Axe()

_MEASURE_TARGETS = (HERE / "measure_targets.js").read_text()

_MEASURE_TEXT = (HERE / "measure_text.js").read_text()

_MEASURE_LAYOUT = (HERE / "measure_layout.js").read_text()


def assert_accessible(page) -> None:
    results = _axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


def assert_targets(page, minimum: int, gap: int) -> None:
    """Every tappable thing at least minimum × minimum CSS px, and gap px from its neighbours."""
    targets = page.evaluate(_MEASURE_TARGETS)
    small = [t for t in targets if t["w"] < minimum - 0.5 or t["h"] < minimum - 0.5]
    assert not small, f"targets smaller than {minimum}px: " + "; ".join(
        f'{t["w"]:.0f}x{t["h"]:.0f} {t["html"]}' for t in small)
    if gap:
        close = []
        for i, a in enumerate(targets):
            for b in targets[i + 1:]:
                if _contains(a, b) or _contains(b, a):
                    continue
                if _distance(a, b) < gap - 0.5:
                    close.append(f'{a["html"][:60]} ↔ {b["html"][:60]} ({_distance(a, b):.0f}px)')
        assert not close, f"targets closer than {gap}px: " + "; ".join(close)


def assert_text_sizes(page, minimum: int) -> None:
    texts = page.evaluate(_MEASURE_TEXT)
    small = [t for t in texts if t["size"] < minimum - 0.01]
    assert not small, f"text smaller than {minimum}px: " + "; ".join(
        f'{t["size"]}px "{t["text"]}"' for t in small)
    cramped = [t for t in texts if t["ratio"] < 1.5 - 0.01]
    assert not cramped, "line-height below 1.5: " + "; ".join(
        f'{t["ratio"]:.2f} "{t["text"]}"' for t in cramped)


def assert_primary_actions(page) -> None:
    """Primary actions on the kiosk: full width of their container and at least 80 px tall."""
    boxes = page.evaluate("""() => [...document.querySelectorAll('main .btn-primary')]
      .filter((el) => el.getBoundingClientRect().height > 0 && !el.closest('[hidden]'))
      .map((el) => ({h: el.getBoundingClientRect().height, w: el.getBoundingClientRect().width,
                     parent: el.parentElement.getBoundingClientRect().width,
                     html: el.outerHTML.slice(0, 80)}))""")
    bad = [b for b in boxes if b["h"] < 79.5 or b["w"] < b["parent"] - 1]
    assert not bad, "primary actions not full width or under 80px: " + "; ".join(
        f'{b["w"]:.0f}/{b["parent"]:.0f}x{b["h"]:.0f} {b["html"]}' for b in bad)


def assert_same_origin(page) -> None:
    origin = urlparse(page.url).netloc
    urls = page.evaluate("""() => [
      ...[...document.querySelectorAll('script[src]')].map((e) => e.src),
      ...[...document.querySelectorAll('link[href]')].map((e) => e.href),
      ...[...document.querySelectorAll('img[src]')].map((e) => e.src),
      ...performance.getEntriesByType('resource').map((e) => e.name)]""")
    foreign = [u for u in urls if urlparse(u).scheme in ("http", "https")
               and urlparse(u).netloc != origin]
    assert not foreign, f"assets from another origin: {foreign}"


def assert_no_horizontal_scroll(page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def assert_fits_the_screen(page) -> None:
    """The whole page inside the viewport: not even a line of text below the fold (stricter
    than assert_layout, which looks at what can be tapped and the headings)."""
    settle(page)
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height <= page.viewport_size["height"], (
        f"the page is {height}px tall on a {page.viewport_size['height']}px screen")


def assert_no_broken_words(page) -> None:
    """No Latin word broken over two lines ("neighbourho/od" on a 320 px phone): words wrap
    whole, and a heading too big for a word on a small screen is made smaller. (This
    Chromium does not hyphenate; a browser that does may break a word with a hyphen.)"""
    broken = page.evaluate("""() => {
      const found = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        const node = walker.currentNode;
        const el = node.parentElement;
        if (!el || el.closest('[hidden], script, style, .visually-hidden')) continue;
        for (const match of node.textContent.matchAll(/[A-Za-z]{2,}/g)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          if ([...range.getClientRects()].filter((r) => r.width > 0).length > 1) {
            found.push(match[0]);
          }
        }
      }
      return found;
    }""")
    assert not broken, f"words broken over two lines: {broken}"


def assert_layout(page, no_fold: bool) -> None:
    """No text in a one-character column; with no_fold, everything a step needs (what can be
    tapped, headings, the TV's bars and QR) inside the viewport: nobody scrolls a kiosk."""
    layout = page.evaluate(_MEASURE_LAYOUT)
    problems = []
    if layout["narrow"]:
        problems.append("text squeezed into a column: " + "; ".join(layout["narrow"]))
    if no_fold and layout["outside"]:
        problems.append(f'outside the {layout["width"]}x{layout["height"]} screen: '
                        + "; ".join(layout["outside"]))
    if problems and LAYOUT_REPORT:
        # While fixing screens: note every problem of every screen instead of stopping.
        with open(LAYOUT_REPORT, "a", encoding="utf-8") as report:
            report.write(f"{page.url}\n  " + "\n  ".join(problems) + "\n")
        return
    assert not problems, "\n".join(problems)


def settle(page) -> None:
    """Measure a page only once its styles, fonts and images are in: measured while loading, a
    link has the browser's default size (a flaky 22x21 "返回" once)."""
    page.wait_for_load_state("load")
    page.evaluate("() => document.fonts.ready.then(() => true)")


def screenshot(page, name: str) -> Path:
    """Save the screen as test-results/screenshots/<name>.png and compare it with the approved
    docs/screenshots/<name>.png."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    settle(page)
    page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    compare_with_approved(path, volatile_boxes(page))
    return path


def check_screen(page, name: str | None, kind: str = "kiosk") -> None:
    """All the measurable rows of ACCESSIBILITY.md for the screen as it is now. A screen that
    fails is kept as test-results/screenshots/<name>.failed.png, to be looked at."""
    try:
        _check_screen(page, name, kind)
    except AssertionError:
        if name:
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.failed.png"), full_page=True)
        raise


def _check_screen(page, name: str | None, kind: str) -> None:
    text_px, target_px, gap_px = LIMITS[kind]
    settle(page)
    assert_accessible(page)
    assert_targets(page, target_px, gap_px)
    assert_text_sizes(page, text_px)
    assert_same_origin(page)
    assert_no_horizontal_scroll(page)
    # A phone may scroll (up and down, never sideways); a tablet or a TV may not.
    assert_layout(page, no_fold=kind in NO_FOLD and page.viewport_size["width"] >= 700)
    if kind == "kiosk":
        assert_primary_actions(page)
    if name:
        screenshot(page, name)


def check_screen_fits(page, name: str | None) -> None:
    """check_screen on the tablet, and the whole page on the screen: one step, no scroll."""
    check_screen(page, name, kind="kiosk")
    assert_fits_the_screen(page)


def _contains(outer, inner) -> bool:
    return (outer["x"] <= inner["x"] and outer["y"] <= inner["y"]
            and outer["x"] + outer["w"] >= inner["x"] + inner["w"]
            and outer["y"] + outer["h"] >= inner["y"] + inner["h"])


def _distance(a, b) -> float:
    dx = max(b["x"] - (a["x"] + a["w"]), a["x"] - (b["x"] + b["w"]), 0)
    dy = max(b["y"] - (a["y"] + a["h"]), a["y"] - (b["y"] + b["h"]), 0)
    return max(dx, dy) if dx == 0 or dy == 0 else (dx * dx + dy * dy) ** 0.5
