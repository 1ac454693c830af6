// What the page says when the server answers with an application/problem+json: the `code` (the
// server's one error table, server/errors.cpp) in the page's language, and the field it names
// (the detail starts with it: "schedules[1]: …") by its label. The server's detail is English;
// the Japanese page shows the Japanese sentence only (the detail is kept in data-detail for
// support), the English page adds the detail.
import { ApiError } from './api';
import { has, lang, t } from './i18n';

// Labels of the fields the server's field table puts on the pages (GET /api/fields), for the
// fields the message files do not name.
const tableLabels = new Map<string, string>();
export function registerFieldLabels(fields: { key: string; label: string }[]): void {
  for (const f of fields) tableLabels.set(f.key, f.label);
}

/** The field a problem's detail starts with ("fee_note …", "schedules[1]: …"), if the page knows it. */
export function fieldOf(detail: string): { name: string; index?: number } | null {
  const m = /^([a-z_]+)(?:\[(\d+)\])?(?=[\s:.'[]|$)/.exec(detail);
  if (!m || !(has(`field.${m[1]}`) || tableLabels.has(m[1]))) return null;
  return m[2] !== undefined ? { name: m[1], index: Number(m[2]) } : { name: m[1] };
}

/** A field name (a key of the server's JSON) as the page says it. */
export function fieldLabel(name: string): string {
  return has(`field.${name}`) ? t(`field.${name}`) : (tableLabels.get(name) ?? name);
}

// Details that say more than their code, known by their start (geo/referrals.cpp).
const KNOWN: [RegExp, string][] = [
  [/^no open slot left/, 'problem.detail.no_slot'],
  [/does not keep count of its open slots/, 'problem.detail.no_slot_count'],
  [/is closed/, 'problem.detail.placement_closed'],
  [/^a referral in .* cannot|cannot go|may not follow|not allowed after/, 'problem.detail.step_not_allowed'],
  [/needs a reason/, 'problem.detail.reason_needed'],
];

/** The sentence for a failed request (an ApiError, or anything else: the server not reached). */
export function problemText(e: unknown): string {
  if (!(e instanceof ApiError)) return t('problem.network');
  const p = e.problem;
  let text = has(`problem.${p.code}`) ? t(`problem.${p.code}`) : t('problem.unknown', { status: p.status });
  const known = KNOWN.find(([re]) => re.test(p.detail));
  const unknownKey = /unknown key '([^']+)'/.exec(p.detail);
  const f = fieldOf(p.detail);
  if (known) {
    text = t(known[1]);
  } else if (unknownKey) {
    text = t('problem.detail.unknown_key', { key: unknownKey[1] });
  } else if (f && (p.code === 'invalid_body' || p.code === 'invalid_parameter')) {
    let what = has(`problem.check.${f.name}`) ? t(`problem.check.${f.name}`) : t('problem.check');
    // The value the server quotes (what was typed), so that the person sees which one it was.
    const quoted = /'([^']+)'|「([^」]+)」/.exec(p.detail.slice(p.detail.indexOf(f.name) + f.name.length));
    if (quoted) what = t('problem.quoted', { value: quoted[1] ?? quoted[2], text: what });
    text =
      f.index !== undefined
        ? t('problem.field_item', { field: fieldLabel(f.name), n: f.index + 1, text: what })
        : t('problem.field', { field: fieldLabel(f.name), text: what });
  }
  if (lang() !== 'ja' && p.detail && p.detail !== String(p.status)) text += ` (${p.detail})`;
  return text;
}

/** Writes a problem into `el`, the server's detail kept aside (data-detail) for support. */
export function showProblem(el: HTMLElement, e: unknown, wrap: (text: string) => string = (s) => s): void {
  el.textContent = wrap(problemText(e));
  if (e instanceof ApiError) el.dataset.detail = e.problem.detail;
  else delete el.dataset.detail;
}
