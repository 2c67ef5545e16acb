// Latin words (and codes) laid out over two lines: broken in the middle, which a phone at
// 320 px must never do to a word (test_suggestions.assert_no_broken_words).
() => {
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || el.closest('script, style, noscript, svg, textarea, [hidden], .visually-hidden, .hp-field')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const words = /[A-Za-z0-9][A-Za-z0-9'’]*[A-Za-z0-9]/g;
    let match;
    while ((match = words.exec(node.textContent))) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = [...range.getClientRects()].filter((r) => r.width > 0);
      if (lines.length > 1 && Math.abs(lines[lines.length - 1].top - lines[0].top) > 2) {
        broken.push(match[0]);
      }
    }
  }
  return broken;
}
