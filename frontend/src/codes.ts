// Code lists (the same ids as the API; labels are in the message files) and the map symbol of
// each resource kind: a colour that keeps 4.5:1 contrast with white, and one character.
export interface KindStyle {
  id: string;
  color: string;
  symbol: string;
}

export const KINDS: KindStyle[] = [
  { id: 'kayoi_no_ba', color: '#1b7a3a', symbol: '通' },
  { id: 'ibasho', color: '#b0420d', symbol: '居' },
  { id: 'kodomo_shokudo', color: '#b3261e', symbol: '食' },
  { id: 'chiiki_kosodate_shien_kyoten', color: '#a3195b', symbol: '子' },
  { id: 'chiiki_katsudo_shien_center', color: '#5b3a9a', symbol: '活' },
  { id: 'chiiki_hokatsu_shien_center', color: '#0b5cad', symbol: '包' },
  { id: 'jiritsu_sodan_shien', color: '#00707a', symbol: '自' },
  { id: 'sodan_shien_other', color: '#3d5a80', symbol: '相' },
  { id: 'placement_site', color: '#7a5200', symbol: '参' },
  { id: 'nofuku_site', color: '#4f6b00', symbol: '農' },
  { id: 'shafuku_facility', color: '#6b4226', symbol: '社' },
  { id: 'kaigo_jigyosho', color: '#2f4f4f', symbol: '介' },
  { id: 'kosodate_shisetsu', color: '#c2185b', symbol: '育' },
  { id: 'public_facility', color: '#455a64', symbol: '公' },
  { id: 'kominkan', color: '#1565c0', symbol: '集' },
];

export const KIND_BY_ID = new Map(KINDS.map((k) => [k.id, k]));

export const ACTIVITIES = [
  'taiso', 'kaishoku', 'sawakai', 'ninchisho_yobo', 'shumi', 'nosagyo', 'shogai_gakushu',
  'volunteer', 'shuroteki_katsudo', 'tasedai_koryu', 'sodan', 'gakushu_shien', 'other',
];

export const TARGETS = [
  'elderly', 'children', 'parents_infants', 'disabled', 'youth', 'hikikomori',
  'seikatsu_konkyu', 'foreign_residents', 'everyone',
];

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export const TIMES: Record<string, [string, string]> = {
  morning: ['09:00', '12:00'],
  afternoon: ['13:00', '17:00'],
  evening: ['17:00', '21:00'],
};

export const PUBLISH = ['public', 'partners', 'internal'];
export const STATUSES = ['active', 'paused', 'closed'];

export function kindStyle(id: string): KindStyle {
  return KIND_BY_ID.get(id) ?? { id, color: '#555555', symbol: '●' };
}
