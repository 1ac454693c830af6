// The offline basemap tsunagi serves itself (/tiles/basemap/style.json: OpenStreetMap streets,
// railways, water and place names, built by `tsunagi import --basemap`). /api/meta says whether
// the server has one and whether it comes first (`primary`) or only when the configured raster
// basemap (GSI) cannot be reached (`fallback`). Its labels are drawn from the browser's own fonts
// (the style has no glyphs URL), so nothing is fetched from outside. Without an extract the server
// draws the streets of its walking network instead (`kind: 'network'`: grey lines, no names, no
// stations), offered only as the fallback.
import type * as maplibregl from 'maplibre-gl';
import { getJson } from './api';

export interface LocalBasemap {
  use: 'primary' | 'fallback';
  /** 'extract': built from an OSM extract; 'network': the walking network's streets alone. */
  kind: 'extract' | 'network';
  /** The credit of its source (its tiles' attribution). */
  attribution: string;
  sources: Record<string, maplibregl.SourceSpecification>;
  layers: maplibregl.LayerSpecification[];
}

export interface BasemapMeta {
  style: string;
  use: 'primary' | 'fallback';
  kind?: 'extract' | 'network';
}

/** Fetches the server's basemap style; null when there is none or it cannot be read. */
export async function loadLocalBasemap(meta: BasemapMeta | null | undefined): Promise<LocalBasemap | null> {
  if (!meta) return null;
  try {
    const style = await getJson<maplibregl.StyleSpecification>(meta.style, { cache: 'no-cache' });
    const first = Object.values(style.sources)[0] as { attribution?: string } | undefined;
    return {
      use: meta.use,
      kind: meta.kind === 'network' ? 'network' : 'extract',
      attribution: first?.attribution ?? '',
      sources: style.sources as Record<string, maplibregl.SourceSpecification>,
      // The page draws its own background.
      layers: style.layers.filter((l) => l.type !== 'background'),
    };
  } catch {
    return null;
  }
}

/** Adds the basemap's sources and layers to a loaded map, under `beforeId`. */
export function addLocalBasemap(map: maplibregl.Map, b: LocalBasemap, beforeId?: string): void {
  for (const [id, s] of Object.entries(b.sources)) {
    if (!map.getSource(id)) map.addSource(id, s);
  }
  for (const l of b.layers) {
    if (!map.getLayer(l.id)) map.addLayer(l, beforeId && map.getLayer(beforeId) ? beforeId : undefined);
  }
}
