// The areas a point lies in, on the page: the 町丁 (small area) and its 市町村, from the OGC API
// areas collection (public boundaries). The editor shows a position as 「<町丁>（<市町村>）」, the
// matching form records the home area a point lies in.
import * as api from './api';

function inRing(p: [number, number], ring: [number, number][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function contains(g: api.AreaItem['geometry'], p: [number, number]): boolean {
  if (!g) return false;
  const inPolygon = (rings: [number, number][][]) => inRing(p, rings[0]) && !rings.slice(1).some((r) => inRing(p, r));
  return g.type === 'Polygon' ? inPolygon(g.coordinates) : (g.coordinates as [number, number][][][]).some(inPolygon);
}

/** The area of `areas` that `p` (lon, lat) lies in. */
export function areaAt(areas: api.AreaItem[], p: [number, number]): api.AreaItem | undefined {
  return areas.find((a) => contains(a.geometry, p));
}

export interface Place {
  town: string; // the 町丁・字 name
  city: string; // its 市町村 ('' when the store has none)
}

let every: Promise<api.AreaItem[]> | null = null;

/** Every area of the store (small areas and municipalities), read once per page. */
function allAreas(): Promise<api.AreaItem[]> {
  every ??= api
    .pages<{ features: { properties: api.AreaItem; geometry: api.AreaItem['geometry'] }[]; numberMatched?: number }, api.AreaItem>(
      '/ogc/collections/areas/items?limit=1000',
      (page) => page.features.map((f) => ({ ...f.properties, geometry: f.geometry })),
    )
    .catch(() => {
      every = null; // asked again next time
      return [];
    });
  return every;
}

/** The 町丁 and 市町村 of a point, or undefined when no small area holds it. */
export async function placeAt(p: [number, number]): Promise<Place | undefined> {
  const areas = await allAreas();
  const small = areaAt(areas.filter((a) => ['small_area', 'chome', 'oaza'].includes(a.kind)), p);
  if (!small) return undefined;
  const parent = small.parent_id ? areas.find((a) => a.id === small.parent_id) : undefined;
  const city = parent?.name ?? areaAt(areas.filter((a) => a.kind === 'municipality'), p)?.name ?? '';
  return { town: small.name, city };
}
