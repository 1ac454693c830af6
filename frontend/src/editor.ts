// Create and edit a resource (coordinators, matchers, admins): place it by address (the
// server's 町丁目/大字 geocoder) or by clicking the map; errors next to their field; a 412 shows
// the saved version beside yours.
import * as api from './api';
import type { Feature } from './api';
import { ACTIVITIES, KINDS, PUBLISH, STATUSES, TARGETS } from './codes';
import { t } from './i18n';
import { fieldLabel, fieldOf, problemText, registerFieldLabels } from './problems';
import type { MapView } from './mapview';
import { placeAt, type Place } from './areas';

export interface EditorHost {
  mapView(): MapView;
  pickPoint(cb: (p: [number, number]) => void): void;
  stopPicking(): void;
  saved(feature: Feature): Promise<void>;
  /** The form is gone; `cancelledEdit` is the id of a place whose edit was cancelled. */
  closed(cancelledEdit?: string): void;
  /** The page's one status line: a new message replaces the last (no stale 「保存しました」). */
  announce(text: string): void;
}

// 活動場所 and 運営主体 (geo/code_lists.hpp VenueKind, OperatorType): labels in the message files.
const VENUES = ['unknown', 'kominkan_shukaijo', 'private_home', 'vacant_house_shop', 'care_facility_space', 'park', 'farm', 'school', 'commercial', 'religious', 'office', 'other'];
const OPERATORS = ['unknown', 'jumin_dantai', 'jumin_kojin', 'shakyo', 'gyosei', 'hokatsu', 'kaigo_jigyosha', 'shafuku_hojin', 'npo', 'kyodo_kumiai', 'kigyo', 'other'];

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const TEXT_FIELDS = ['name', 'address', 'building', 'fee_note', 'phone', 'email', 'url', 'description', 'operator_name'];
const NUMBER_FIELDS = ['capacity', 'vacancy'];

/** The editable part of a resource's properties: no labels (*_ja) or derived values. */
function editable(p: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(p)) {
    if (k.endsWith('_ja') || k === 'distance_m') continue;
    out[k] = v;
  }
  return out;
}

/** The 必須 mark after a required field's label (the input says aria-required too). */
function req(): string {
  return ` <span class="required">${esc(t('edit.required'))}</span>`;
}

function field(name: string, label: string, input: string, hint = '', required = false): string {
  return `<div class="field" data-field="${name}">
    <label for="e-${name}">${esc(label)}${required ? req() : ''}</label>${hint ? `<p class="hint" id="e-${name}-hint">${esc(hint)}</p>` : ''}
    ${input}
    <p class="field-error" id="e-${name}-error" role="alert"></p></div>`;
}

function checks(name: string, legend: string, values: string[], prefix: string, chosen: string[]): string {
  return `<fieldset class="field checks" data-field="${name}"><legend>${esc(legend)}</legend>
    ${values
      .map(
        (v) =>
          `<label><input type="checkbox" name="${name}" value="${v}" ${chosen.includes(v) ? 'checked' : ''}> ${esc(t(`${prefix}.${v}`))}</label>`,
      )
      .join('')}
    <p class="field-error" id="e-${name}-error" role="alert"></p></fieldset>`;
}

function options(values: string[], prefix: string, chosen: string): string {
  return values
    .map((v) => `<option value="${v}" ${v === chosen ? 'selected' : ''}>${esc(t(`${prefix}.${v}`))}</option>`)
    .join('');
}

/** The input of a field the server's field table puts on the pages (GET /api/fields). */
function tableInput(f: api.FieldInfo, v: any): string {
  const name = esc(f.key);
  const at = `id="e-${name}" name="${name}"`;
  switch (f.kind) {
    case 'date':
      return `<input ${at} type="date" value="${esc(v ?? '')}">`;
    case 'int':
      return `<input ${at} type="number" step="1" inputmode="numeric" value="${esc(v ?? '')}">`;
    case 'bool':
      return `<select ${at}>${[['', ''], ['true', 'はい'], ['false', 'いいえ']]
        .map(([val, label]) => `<option value="${val}" ${String(v ?? '') === val ? 'selected' : ''}>${esc(label)}</option>`)
        .join('')}</select>`;
    case 'enum':
      return `<select ${at}>${(f.codes ?? [])
        .map((c) => `<option value="${esc(c.id)}" ${c.id === v ? 'selected' : ''}>${esc(c.ja)}</option>`)
        .join('')}</select>`;
    default:
      return (f.max_chars ?? 0) > 200
        ? `<textarea ${at} rows="2">${esc(v ?? '')}</textarea>`
        : `<input ${at} value="${esc(v ?? '')}">`;
  }
}

/** A table field's value as the form holds it, as the API takes it. */
function tableValue(f: api.FieldInfo, fd: FormData): unknown {
  const v = String(fd.get(f.key) ?? '').trim();
  if (f.kind === 'int') return v === '' ? null : Number(v);
  if (f.kind === 'bool') return v === '' ? null : v === 'true';
  return v;
}

export async function openEditor(el: HTMLElement, host: EditorHost, id?: string): Promise<void> {
  let base: Record<string, any> = {};
  let etag = '';
  if (id) {
    const got = await api.getResource(id);
    base = editable(got.feature.properties);
    etag = got.etag;
  }
  // The fields the server's field table puts on the pages and this role may edit (アクセス…);
  // the others above are laid out by hand.
  const tableFields = (await api.fields().catch(() => [] as api.FieldInfo[])).filter(
    (f) => f.on_pages && f.plain && f.editable && f.kind !== 'enum_set',
  );
  registerFieldLabels(tableFields);
  let position: [number, number] | undefined =
    id && typeof base.lon === 'number' ? [base.lon, base.lat] : undefined;
  // A new place is seen by the fewest until someone chooses otherwise (a 個人宅 サロン published by
  // mistake cannot be taken back from those who saw it).
  const mostPrivate = PUBLISH.includes('internal') ? 'internal' : (PUBLISH[PUBLISH.length - 1] ?? 'internal');
  const schedulesText = (base.schedules ?? []).map((s: any) => s.text).join('\n');

  el.innerHTML = `
    <h2 id="editor-title">${esc(id ? t('edit.title_edit', { name: base.name }) : t('edit.title_new'))}</h2>
    <form id="editor-form" novalidate>
      <p class="hint">${esc(t('edit.required_note'))}</p>
      ${field('name', t('edit.name'), `<input id="e-name" name="name" required aria-required="true" value="${esc(base.name)}">`, '', true)}
      ${field('kind', t('edit.kind'), `<select id="e-kind" name="kind" aria-required="true">${options(KINDS.map((k) => k.id), 'kind', base.kind ?? 'kayoi_no_ba')}</select>`, '', true)}
      ${field('publish', t('edit.publish'), `<select id="e-publish" name="publish" aria-required="true" aria-describedby="e-publish-hint">${options(PUBLISH, 'publish', base.publish ?? mostPrivate)}</select>`, id ? '' : t('edit.publish_new_hint'), true)}
      ${id ? field('status', t('edit.status'), `<select id="e-status" name="status">${options(STATUSES, 'status', base.status ?? 'active')}</select>`) : ''}
      ${field('address', t('edit.address'), `<div class="inline"><input id="e-address" name="address" value="${esc(base.address)}" aria-describedby="e-address-hint">
        <button type="button" id="e-geocode">${esc(t('edit.geocode'))}</button></div>
        <p id="e-geocode-result" class="geocode-result" role="status"></p>`, t('edit.address_hint'))}
      <div class="field" data-field="lon">
        <span class="label">${esc(t('edit.position'))}${req()}</span>
        <span id="e-position" class="position"></span>
        <button type="button" id="e-pick">${esc(t('edit.position_pick'))}</button>
        <p class="field-error" id="e-lon-error" role="alert"></p>
      </div>
      ${field('building', t('edit.building'), `<input id="e-building" name="building" value="${esc(base.building)}">`)}
      ${field('venue', t('edit.venue'), `<select id="e-venue" name="venue">${options(VENUES, 'venue', base.venue ?? 'unknown')}</select>`, t('edit.venue_hint'))}
      <div class="row two">
      ${field('operator_type', t('edit.operator_type'), `<select id="e-operator_type" name="operator_type">${options(OPERATORS, 'operator', base.operator_type ?? 'unknown')}</select>`)}
      ${field('operator_name', t('edit.operator_name'), `<input id="e-operator_name" name="operator_name" value="${esc(base.operator_name)}">`)}
      </div>
      <div class="row two">
      ${field('capacity', t('edit.capacity'), `<input id="e-capacity" name="capacity" type="number" min="0" step="1" inputmode="numeric" value="${esc(base.capacity ?? '')}">`)}
      ${field('vacancy', t('edit.vacancy'), `<input id="e-vacancy" name="vacancy" type="number" min="0" step="1" inputmode="numeric" value="${esc(base.vacancy ?? '')}">`)}
      </div>
      ${field('schedules', t('edit.schedules'), `<textarea id="e-schedules" name="schedules" rows="3">${esc(schedulesText)}</textarea>`)}
      ${field('fee_note', t('edit.fee_note'), `<input id="e-fee_note" name="fee_note" value="${esc(base.fee_note)}">`)}
      ${checks('targets', t('edit.targets'), TARGETS, 'target', base.targets ?? [])}
      ${checks('activities', t('edit.activities'), ACTIVITIES, 'activity', base.activities ?? [])}
      ${field('phone', t('edit.phone'), `<input id="e-phone" name="phone" type="tel" value="${esc(base.phone)}">`)}
      ${field('email', t('edit.email'), `<input id="e-email" name="email" type="email" value="${esc(base.email)}">`)}
      ${field('url', t('edit.url'), `<input id="e-url" name="url" type="url" value="${esc(base.url)}">`)}
      <div class="field" data-field="contact_public"><label><input type="checkbox" id="e-contact_public" name="contact_public" aria-describedby="e-contact_public-hint" ${base.contact_public ? 'checked' : ''}> ${esc(t('edit.contact_public'))}</label>
        <p class="hint" id="e-contact_public-hint">${esc(t('edit.contact_public_hint'))}</p>
        <p class="field-error" id="e-contact_public-error" role="alert"></p></div>
      ${field('description', t('edit.description'), `<textarea id="e-description" name="description" rows="3">${esc(base.description)}</textarea>`)}
      ${tableFields.map((f) => field(f.key, f.label, tableInput(f, base[f.key]), '', f.required)).join('')}
      <div class="field"><label><input type="checkbox" id="e-step_free" name="step_free" ${base.barrier_free?.step_free ? 'checked' : ''}> ${esc(t('edit.step_free'))}</label></div>
      ${field('verified_at', t('edit.verified_at'), `<input id="e-verified_at" name="verified_at" type="date" value="${esc(base.verified_at ?? new Date().toISOString().slice(0, 10))}">`)}
      <p id="e-error" class="error" role="alert"></p>
      <section id="e-conflict" class="conflict" hidden aria-labelledby="e-conflict-title"></section>
      <div class="buttons">
        <button type="submit" id="e-save">${esc(t('edit.save'))}</button>
        <button type="button" id="e-cancel">${esc(t('edit.cancel'))}</button>
      </div>
    </form>`;
  el.hidden = false;
  host.announce(''); // what was said before (「保存しました」) is not about this form
  const form = el.querySelector<HTMLFormElement>('#editor-form')!;
  const q = <T extends HTMLElement>(sel: string) => el.querySelector<T>(sel)!;
  const mapView = host.mapView();

  // The position as a person reads it: its 町丁 (市町村) and the address; the coordinates on a
  // third line.
  let shown = 0;
  let place: Place | undefined;
  const addressLine = () => {
    const address = q<HTMLInputElement>('#e-address').value.trim();
    const text = address || (place ? t('edit.position_address_near', { address: place.city + place.town }) : t('edit.position_address_none'));
    return t('edit.position_address', { address: text });
  };
  const showPosition = () => {
    const out = q('#e-position');
    mapView.setDraft(position);
    if (!position) {
      out.textContent = t('edit.position_none');
      delete out.dataset.town;
      return;
    }
    const p = position;
    const ticket = ++shown;
    place = undefined;
    out.innerHTML = `<span class="position-place">${esc(t('edit.position_finding'))}</span>
      <span class="position-address">${esc(addressLine())}</span>
      <small class="position-coords">${esc(t('edit.position_coords', { lat: p[1].toFixed(6), lon: p[0].toFixed(6) }))}</small>`;
    void placeAt(p).then((found) => {
      if (ticket !== shown) return; // a newer position is being shown
      place = found;
      const where = found ? (found.city ? t('edit.position_place', { town: found.town, city: found.city }) : found.town) : t('edit.position_outside');
      out.querySelector('.position-place')!.textContent = where;
      out.querySelector('.position-address')!.textContent = addressLine();
      out.dataset.town = found?.town ?? '';
    });
  };
  showPosition();
  // The address line follows the field as it is typed.
  q('#e-address').addEventListener('input', () => {
    const line = q('#e-position').querySelector('.position-address');
    if (line) line.textContent = addressLine();
  });

  q('#e-geocode').addEventListener('click', async () => {
    const text = q<HTMLInputElement>('#e-address').value.trim();
    const out = q('#e-geocode-result');
    if (!text) return;
    let matches: api.GeocodeMatch[] = [];
    try {
      matches = await api.geocode(text);
    } catch (e) {
      out.textContent = (e as Error).message;
      return;
    }
    const m = matches[0];
    if (!m) {
      out.textContent = t('edit.geocode_none');
      out.dataset.match = 'none';
      return;
    }
    position = [m.lon, m.lat];
    showPosition();
    out.textContent = t(m.approximate ? 'edit.geocode_approx' : 'edit.geocode_exact', { label: m.label });
    out.dataset.match = m.approximate ? 'approximate' : 'exact';
    mapView.map.easeTo({ center: position, zoom: Math.max(mapView.map.getZoom(), 15) });
  });
  q('#e-pick').addEventListener('click', () => {
    q('#e-pick').textContent = t('edit.position_picking');
    host.pickPoint((p) => {
      host.stopPicking();
      position = p;
      showPosition();
      q('#e-pick').textContent = t('edit.position_pick');
      q('#e-pick').focus();
    });
  });
  const close = (cancelled: boolean) => {
    host.stopPicking();
    mapView.setDraft(undefined);
    el.innerHTML = '';
    host.closed(cancelled ? id : undefined);
  };
  q('#e-cancel').addEventListener('click', () => close(true));

  const body = (): Record<string, any> => {
    const fd = new FormData(form);
    const b: Record<string, any> = { ...base };
    for (const k of TEXT_FIELDS) b[k] = String(fd.get(k) ?? '').trim();
    for (const f of tableFields) b[f.key] = tableValue(f, fd);
    for (const k of NUMBER_FIELDS) {
      const v = String(fd.get(k) ?? '').trim();
      b[k] = v === '' ? null : Number(v);
    }
    b.venue = fd.get('venue');
    b.operator_type = fd.get('operator_type');
    // Unticked is "not agreed" only when it was asked: an untouched unknown stays unknown.
    b.contact_public = fd.get('contact_public') ? true : base.contact_public == null ? null : false;
    b.kind = fd.get('kind');
    b.publish = fd.get('publish');
    if (id) b.status = fd.get('status');
    b.targets = fd.getAll('targets');
    b.activities = fd.getAll('activities');
    if (b.main_activity && !b.activities.includes(b.main_activity)) delete b.main_activity;
    const lines = String(fd.get('schedules') ?? '')
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
    const old: any[] = base.schedules ?? [];
    // Unchanged lines keep the stored rule; new lines are read by the server's schedule parser.
    b.schedules = lines.map((line) => old.find((s) => s.text === line) ?? line);
    b.barrier_free = { ...(base.barrier_free ?? {}), step_free: fd.get('step_free') ? true : base.barrier_free?.step_free === true ? false : null };
    const verified = String(fd.get('verified_at') ?? '');
    b.verified_at = verified;
    if (position) {
      b.lon = Number(position[0].toFixed(7));
      b.lat = Number(position[1].toFixed(7));
    } else {
      delete b.lon;
      delete b.lat;
    }
    return b;
  };

  const clearErrors = () => {
    host.announce('');
    el.querySelectorAll('.field-error').forEach((p) => (p.textContent = ''));
    el.querySelectorAll('[aria-invalid]').forEach((i) => i.removeAttribute('aria-invalid'));
    q('#e-error').textContent = '';
  };

  /** Shows `text` under the field `name`; false when there is no such field. */
  const markField = (name: string, text: string): boolean => {
    const target = el.querySelector<HTMLElement>(`#e-${name}-error`);
    if (!target) return false;
    target.textContent = text;
    const input =
      name === 'lon' ? q('#e-pick') : (el.querySelector<HTMLElement>(`#e-${name}`) ?? el.querySelector<HTMLElement>(`[name="${name}"]`));
    if (input && name !== 'lon') input.setAttribute('aria-invalid', 'true');
    input?.setAttribute('aria-describedby', `e-${name}-error`);
    return true;
  };

  const showError = (e: api.ApiError) => {
    const f = fieldOf(e.problem.detail);
    let name = f?.name ?? '';
    if (name === 'lat' || name === 'lon') name = 'lon';
    const text = problemText(e);
    host.announce(text);
    if (name && markField(name, text)) {
      const input = name === 'lon' ? q('#e-pick') : el.querySelector<HTMLElement>(`#e-${name}`);
      (input ?? q(`#e-${name}-error`)).focus();
    } else {
      q('#e-error').textContent = t('edit.error', { detail: text });
    }
  };

  const showConflict = async (mine: Record<string, any>) => {
    const theirs = await api.getResource(id!);
    const saved = editable(theirs.feature.properties);
    const fields = ['name', 'kind', 'publish', 'status', 'address', 'building', 'venue', 'operator_type', 'operator_name', 'capacity', 'vacancy', 'contact_public', 'schedules', 'fee_note',
      'targets', 'activities', 'phone', 'email', 'url', 'description', ...tableFields.map((f) => f.key), 'verified_at', 'lon', 'lat'];
    const show = (k: string, v: any): string => {
      if (k === 'schedules') return (v ?? []).map((s: any) => (typeof s === 'string' ? s : s.text)).join(' / ');
      if (Array.isArray(v)) return v.join(', ');
      return String(v ?? '');
    };
    const rows = fields
      .filter((k) => show(k, mine[k]) !== show(k, saved[k]))
      .map((k) => `<tr><th scope="row">${esc(fieldLabel(k))}</th><td>${esc(show(k, mine[k]))}</td><td>${esc(show(k, saved[k]))}</td></tr>`)
      .join('');
    const box = q('#e-conflict');
    box.innerHTML = `<h3 id="e-conflict-title">${esc(t('edit.conflict_title'))}</h3>
      <p>${esc(t('edit.conflict_text', { theirs: saved.version ?? '?' }))}</p>
      <table><thead><tr><th scope="col">${esc(t('edit.conflict_field'))}</th><th scope="col">${esc(t('edit.conflict_yours'))}</th><th scope="col">${esc(t('edit.conflict_theirs'))}</th></tr></thead>
      <tbody>${rows}</tbody></table>
      <div class="buttons"><button type="button" id="e-take-theirs">${esc(t('edit.conflict_take_theirs'))}</button>
      <button type="button" id="e-overwrite">${esc(t('edit.conflict_overwrite'))}</button></div>`;
    box.hidden = false;
    q('#e-conflict-title').setAttribute('tabindex', '-1');
    q('#e-conflict-title').focus();
    q('#e-take-theirs').addEventListener('click', () => void openEditor(el, host, id));
    q('#e-overwrite').addEventListener('click', async () => {
      etag = theirs.etag;
      base = { ...saved };
      await save(mine);
    });
  };

  const save = async (b: Record<string, any>) => {
    clearErrors();
    try {
      const r = await api.saveResource(b, id, etag);
      close(false);
      await host.saved(r.feature);
    } catch (e) {
      if (e instanceof api.ApiError && e.problem.status === 412 && id) {
        await showConflict(b);
      } else if (e instanceof api.ApiError) {
        showError(e);
      } else {
        q('#e-error').textContent = t('edit.error', { detail: problemText(e) });
        host.announce(q('#e-error').textContent ?? '');
      }
    }
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors();
    // What the server would refuse one at a time, said for every field at once.
    const missing: [string, string][] = [];
    if (!q<HTMLInputElement>('#e-name').value.trim()) missing.push(['name', t('edit.required_name')]);
    if (!position) missing.push(['lon', t('edit.required_position')]);
    if (missing.length) {
      for (const [name, text] of missing) markField(name, text);
      const first = el.querySelector<HTMLElement>(`#e-${missing[0][0]}`) ?? q('#e-pick');
      first.focus();
      return;
    }
    void save(body());
  });
  q<HTMLInputElement>('#e-name').focus();
}
