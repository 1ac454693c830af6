// The page runs under the server's Content-Security-Policy (style-src 'self', script-src 'self'):
// a style="…" attribute in HTML and a <style> element are refused, styles set through the CSSOM
// are not. Colours computed in code (kind symbols, choropleth classes) travel as data-swatch and
// are painted here; the print's @page rule is a constructed stylesheet.

/** Paints every [data-swatch] element under `root` with its colour. */
export function paintSwatches(root: ParentNode): void {
  root.querySelectorAll<HTMLElement>('[data-swatch]').forEach((el) => {
    el.style.background = el.dataset.swatch ?? '';
  });
}

let pageSheet: CSSStyleSheet | null = null;

/** Sets the page's @page rule (paper size and margins of a print). */
export function setPageRule(css: string): void {
  if (!pageSheet) {
    pageSheet = new CSSStyleSheet();
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, pageSheet];
  }
  pageSheet.replaceSync(css);
}
