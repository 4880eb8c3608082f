"""The contrast check the e2e tests share."""

# WCAG contrast of an element's text against the first non-transparent background behind it.
CONTRAST_JS = """
(el) => {
  const rgb = (s) => { const m = s.match(/[\\d.]+/g).map(Number); return {c: m.slice(0, 3), a: m.length > 3 ? m[3] : 1}; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  let bg = null;
  for (let n = el; n; n = n.parentElement) {
    const b = rgb(getComputedStyle(n).backgroundColor);
    if (b.a > 0.5) { bg = b.c; break; }
  }
  bg = bg || [255, 255, 255];
  const fg = rgb(getComputedStyle(el).color).c;
  const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
  return {ratio: (hi + 0.05) / (lo + 0.05), fg: fg.join(','), bg: bg.join(',')};
}
"""


def contrast(page, selector: str) -> dict:
    """{ratio, fg, bg} for the first element matching `selector` on `page`."""
    return page.locator(selector).first.evaluate(CONTRAST_JS)
