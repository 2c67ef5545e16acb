// Every tappable element's box, in page coordinates (checks.assert_targets).
() => {
  const visible = (el) => {
    if (el.closest('[hidden], [aria-hidden="true"]')) return false;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < document.documentElement.scrollWidth;
  };
  // With a modal dialog open, only what is inside it can be tapped.
  const modal = [...document.querySelectorAll('[aria-modal="true"]')].find(visible);
  const scope = modal || document;
  const seen = new Set();
  const out = [];
  scope.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]:not([tabindex="-1"])').forEach((el) => {
    // A checkbox or radio is tapped through its label: measure the label.
    let target = el;
    if ((el.type === 'checkbox' || el.type === 'radio') && el.closest('label')) target = el.closest('label');
    if (seen.has(target) || !visible(target)) return;
    seen.add(target);
    const r = target.getBoundingClientRect();
    out.push({html: target.outerHTML.slice(0, 120), x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height});
  });
  return out;
}
