// What a person must see without scrolling, and text squeezed into a column too narrow to
// read (checks.assert_layout). Returns page-level figures and the offending elements.
() => {
  const visible = (el) => {
    if (el.closest('[hidden], [aria-hidden="true"], .skip-link, .visually-hidden')) return false;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const describe = (el) => el.outerHTML.slice(0, 100).replace(/\s+/g, ' ');
  const modal = [...document.querySelectorAll('[aria-modal="true"]')].find(visible);
  const scope = modal || document;
  // Everything a step needs: what can be tapped, the headings and the status messages.
  const needed = [...scope.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, [role=button], h1, h2, .tv-bars, .tv-qr, .tv-status, .tv-result')]
    .filter(visible)
    .filter((el) => !el.closest('[data-below-fold-ok]'));
  const outside = needed.filter((el) => {
    const r = el.getBoundingClientRect();
    return r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5 || r.top < -0.5 || r.left < -0.5;
  }).map((el) => {
    const r = el.getBoundingClientRect();
    return `${describe(el)} at ${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)}`;
  });
  // Text laid out in a box narrower than two of its own characters: one character per line.
  const narrow = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if ([...text].length < 2) continue;
    const el = node.parentElement;
    if (!el || !visible(el) || el.closest('script, style, noscript, svg')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    // Broken over several lines, none of them two characters wide.
    const lines = [...range.getClientRects()].filter((r) => r.width > 0);
    const size = parseFloat(getComputedStyle(el).fontSize);
    const widest = Math.max(0, ...lines.map((r) => r.width));
    if (lines.length > 1 && widest < 1.9 * size) {
      narrow.push(`${lines.length} lines of ${Math.round(widest)}px for ${size}px text "${text.slice(0, 30)}"`);
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    scrollHeight: document.documentElement.scrollHeight,
    width: innerWidth, height: innerHeight, outside, narrow,
  };
}
