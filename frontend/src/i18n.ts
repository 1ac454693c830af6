// Every string the page shows comes from messages/<lang>.json; Japanese is the default.
import ja from './messages/ja.json';
import en from './messages/en.json';

export type Lang = 'ja' | 'en';
const tables: Record<Lang, Record<string, string>> = { ja, en };
let current: Lang = 'ja';

export function lang(): Lang {
  return current;
}

export function setLang(l: Lang): void {
  current = l;
  document.documentElement.lang = l;
}

/** Whether `key` has a message (in the current language or in Japanese). */
export function has(key: string): boolean {
  return key in tables[current] || key in tables.ja;
}

/** The message `key` with {name} placeholders filled in. */
export function t(key: string, vars: Record<string, string | number> = {}): string {
  const s = tables[current][key] ?? tables.ja[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k: string) => (k in vars ? String(vars[k]) : `{${k}}`));
}

/** Fills elements marked data-i18n (text), data-i18n-placeholder, data-i18n-label (aria-label). */
export function translateStatic(root: ParentNode = document): void {
  root.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => {
    el.textContent = t(el.dataset.i18n!);
  });
  root.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]').forEach((el) => {
    el.placeholder = t(el.dataset.i18nPlaceholder!);
  });
  root.querySelectorAll<HTMLElement>('[data-i18n-label]').forEach((el) => {
    el.setAttribute('aria-label', t(el.dataset.i18nLabel!));
  });
}
