// Every visible text node's font size and line-height ratio (checks.assert_text_sizes).
() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || el.closest('[hidden], script, style, noscript, .skip-link, .visually-hidden')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rect = range.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    const size = parseFloat(style.fontSize);
    const line = style.lineHeight === 'normal' ? 0 : parseFloat(style.lineHeight);
    out.push({text: node.textContent.trim().slice(0, 40), size, ratio: line / size});
  }
  return out;
}
