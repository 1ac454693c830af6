// The map: a configurable raster basemap (optional: everything works without it) or tsunagi's own
// offline basemap (basemap.ts) — first when the server says so, else as the raster's fallback —, tsunagi's
// area tiles (the municipality boundary, 町丁) and resource tiles (the server's clusters at low
// zoom, one symbol per kind), numbered badges matching the list, the chosen point and the draft
// position of an edit. Symbols are drawn on canvases here: no glyphs or sprites are fetched.
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import { kindStyle } from './codes';
import { addLocalBasemap, type LocalBasemap } from './basemap';
import { t } from './i18n';

maplibregl.setWorkerUrl(workerUrl);

export interface BasemapConfig {
  tiles: string[];
  attribution: string;
  minzoom?: number;
  maxzoom?: number;
  tileSize?: number;
}

export interface MapHandlers {
  onResourceClick(id: string): void;
  onMapClick(lngLat: [number, number]): boolean; // true: handled (point picking)
  onMoveEnd(): void;
  onCandidateClick?(id: string): void; // a matching candidate's marker
}

type FC = { type: 'FeatureCollection'; features: any[] };

const EMPTY: FC = { type: 'FeatureCollection', features: [] };
const PIXEL_RATIO = 2;

function canvas(w: number, h: number): [HTMLCanvasElement, CanvasRenderingContext2D] {
  const c = document.createElement('canvas');
  c.width = w * PIXEL_RATIO;
  c.height = h * PIXEL_RATIO;
  const ctx = c.getContext('2d')!;
  ctx.scale(PIXEL_RATIO, PIXEL_RATIO);
  return [c, ctx];
}

/** A round badge: `fill` with a white ring and `text` in white (or dark on white). */
export function drawBadge(size: number, fill: string, text: string, dark = false): HTMLCanvasElement {
  const [c, ctx] = canvas(size, size);
  const r = size / 2;
  ctx.beginPath();
  ctx.arc(r, r, r - 1.5, 0, Math.PI * 2);
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.lineWidth = 2;
  ctx.strokeStyle = dark ? '#1a1a1a' : '#ffffff';
  ctx.stroke();
  ctx.fillStyle = dark ? '#1a1a1a' : '#ffffff';
  const fontSize = text.length > 2 ? size * 0.38 : size * 0.52;
  ctx.font = `bold ${fontSize}px system-ui, "Noto Sans CJK JP", sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, r, r + 1);
  return c;
}

function imageFor(id: string): HTMLCanvasElement | null {
  const [type, a, b] = id.split('|');
  if (type === 'k') {
    const k = kindStyle(a);
    return drawBadge(26, k.color, k.symbol);
  }
  if (type === 'c') {
    const n = Number(b);
    const size = Math.round(Math.min(46, 28 + Math.log2(Math.max(1, n)) * 3));
    return drawBadge(size, kindStyle(a).color, String(n));
  }
  if (type === 'n') return drawBadge(20, '#ffffff', a, true);
  // Matching candidates by rank; the selected one larger, in the focus colour.
  if (type === 'm') return drawBadge(24, '#0b57a4', a);
  if (type === 'M') return drawBadge(34, '#a33a00', a);
  return null;
}

/** MapLibre's own texts (its defaultLocale keys) from the message files. */
function mapLocale(): Record<string, string> {
  const keys = ['AttributionControl.ToggleAttribution', 'AttributionControl.MapFeedback', 'FullscreenControl.Enter',
    'FullscreenControl.Exit', 'GeolocateControl.FindMyLocation', 'GeolocateControl.LocationNotAvailable',
    'LogoControl.Title', 'Map.Title', 'Marker.Title', 'NavigationControl.ResetBearing', 'NavigationControl.ZoomIn',
    'NavigationControl.ZoomOut', 'Popup.Close', 'ScaleControl.Meters', 'ScaleControl.Kilometers',
    'CooperativeGesturesHandler.WindowsHelpText', 'CooperativeGesturesHandler.MacHelpText',
    'CooperativeGesturesHandler.MobileHelpText'];
  return Object.fromEntries(keys.map((k) => [k, t(`maplibre.${k}`)]));
}

export class MapView {
  readonly map: maplibregl.Map;
  private loaded: Promise<void>;
  private basemapFailed = false;
  private basemapLoaded = false;

  constructor(
    container: HTMLElement,
    basemap: BasemapConfig | null,
    filterQuery: string,
    view: { center: [number, number]; zoom: number } | null,
    private handlers: MapHandlers,
    private onBasemapFailure: (replacedByLocal: boolean) => void,
    local: LocalBasemap | null = null,
    municipality = '',
  ) {
    const origin = window.location.origin;
    const town = municipality ? `?municipality=${encodeURIComponent(municipality)}` : '';
    const sources: Record<string, maplibregl.SourceSpecification> = {
      areas: { type: 'vector', url: `${origin}/tiles/areas.json${town}` },
      resources: { type: 'vector', url: resourcesUrl(filterQuery) },
      numbered: { type: 'geojson', data: EMPTY },
      point: { type: 'geojson', data: EMPTY },
      draft: { type: 'geojson', data: EMPTY },
      'match-catchment': { type: 'geojson', data: EMPTY },
      'match-route': { type: 'geojson', data: EMPTY },
      'match-candidates': { type: 'geojson', data: EMPTY },
      'match-origin': { type: 'geojson', data: EMPTY },
    };
    const layers: maplibregl.LayerSpecification[] = [
      { id: 'background', type: 'background', paint: { 'background-color': '#f2f1ec' } },
    ];
    const localFirst = local !== null && (local.use === 'primary' || !basemap || !basemap.tiles.length);
    if (local && localFirst) {
      Object.assign(sources, local.sources);
      layers.push(...local.layers);
    } else if (basemap && basemap.tiles.length) {
      sources.basemap = {
        type: 'raster',
        tiles: basemap.tiles,
        tileSize: basemap.tileSize ?? 256,
        minzoom: basemap.minzoom ?? 0,
        maxzoom: basemap.maxzoom ?? 18,
        attribution: basemap.attribution,
      };
      layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
    }
    layers.push(
      {
        id: 'chome-line',
        type: 'line',
        source: 'areas',
        'source-layer': 'areas',
        minzoom: 12,
        filter: ['!=', ['get', 'kind'], 'municipality'],
        paint: { 'line-color': '#7d7d7d', 'line-width': 0.7, 'line-dasharray': [3, 2] },
      },
      {
        id: 'municipality-line',
        type: 'line',
        source: 'areas',
        'source-layer': 'areas',
        filter: ['==', ['get', 'kind'], 'municipality'],
        paint: { 'line-color': '#2b2b5e', 'line-width': 3 },
      },
      // The matching page: the walking reach under the resources, the route and the ranked
      // candidates above them.
      {
        id: 'match-catchment-fill',
        type: 'fill',
        source: 'match-catchment',
        paint: { 'fill-color': '#0b57a4', 'fill-opacity': 0.12 },
      },
      {
        id: 'match-catchment-line',
        type: 'line',
        source: 'match-catchment',
        paint: { 'line-color': '#0b57a4', 'line-width': 2, 'line-dasharray': [2, 1] },
      },
      {
        id: 'resources-cluster',
        type: 'symbol',
        source: 'resources',
        'source-layer': 'resources',
        filter: ['==', ['get', 'cluster'], true],
        layout: {
          'icon-image': ['concat', 'c|', ['get', 'kind'], '|', ['to-string', ['get', 'count']]],
          'icon-allow-overlap': true,
        },
      },
      {
        id: 'resources-point',
        type: 'symbol',
        source: 'resources',
        'source-layer': 'resources',
        filter: ['!=', ['get', 'cluster'], true],
        layout: {
          'icon-image': ['concat', 'k|', ['get', 'kind']],
          'icon-allow-overlap': true,
          'icon-size': ['interpolate', ['linear'], ['zoom'], 11, 0.75, 15, 1],
        },
      },
      {
        id: 'numbered',
        type: 'symbol',
        source: 'numbered',
        minzoom: 12, // above the cluster zooms, where each marker is one resource
        layout: {
          'icon-image': ['concat', 'n|', ['to-string', ['get', 'n']]],
          'icon-allow-overlap': true,
          'icon-offset': [13, -13],
          'symbol-sort-key': ['get', 'n'],
        },
      },
      {
        id: 'match-route-casing',
        type: 'line',
        source: 'match-route',
        layout: { 'line-join': 'round', 'line-cap': 'round' },
        paint: { 'line-color': '#ffffff', 'line-width': 8 },
      },
      {
        id: 'match-route',
        type: 'line',
        source: 'match-route',
        layout: { 'line-join': 'round', 'line-cap': 'round' },
        paint: { 'line-color': '#a33a00', 'line-width': 4.5 },
      },
      {
        id: 'match-candidates',
        type: 'symbol',
        source: 'match-candidates',
        layout: {
          'icon-image': [
            'case',
            ['get', 'selected'],
            ['concat', 'M|', ['to-string', ['get', 'n']]],
            ['concat', 'm|', ['to-string', ['get', 'n']]],
          ],
          'icon-allow-overlap': true,
          'symbol-sort-key': ['case', ['get', 'selected'], 0, ['get', 'n']],
          'symbol-z-order': 'source',
        },
      },
      {
        id: 'match-origin',
        type: 'circle',
        source: 'match-origin',
        paint: {
          'circle-radius': 7,
          'circle-color': '#c00000',
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 3,
        },
      },
      {
        id: 'point',
        type: 'circle',
        source: 'point',
        paint: {
          'circle-radius': 8,
          'circle-color': '#ffffff',
          'circle-stroke-color': '#c00000',
          'circle-stroke-width': 4,
        },
      },
      {
        id: 'draft',
        type: 'circle',
        source: 'draft',
        paint: {
          'circle-radius': 10,
          'circle-color': 'rgba(200,0,120,0.35)',
          'circle-stroke-color': '#a0005a',
          'circle-stroke-width': 3,
        },
      },
    );
    this.map = new maplibregl.Map({
      container,
      style: { version: 8, sources, layers },
      center: view?.center ?? [135, 35],
      zoom: view?.zoom ?? 4,
      attributionControl: { compact: false },
      canvasContextAttributes: { preserveDrawingBuffer: true }, // the print view copies it
      cooperativeGestures: false,
      fadeDuration: 0, // symbols appear at once: no 300 ms fade before the map is idle
      locale: mapLocale(), // the controls' labels, read by screen readers, in the page's language
    });
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    this.map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
    // MapLibre 6 resolves a missing image only through this resolver (not the event).
    this.map.setMissingStyleImageResolver((id) => {
      const c = imageFor(id);
      if (!c || this.map.hasImage(id)) return;
      const ctx = c.getContext('2d')!;
      this.map.addImage(id, ctx.getImageData(0, 0, c.width, c.height), { pixelRatio: PIXEL_RATIO });
    });
    // An unreachable basemap (no network, a blocked host): after a few failures and no success,
    // drop it, so that MapLibre stops asking for its tiles and their parents, and say so.
    let basemapErrors = 0;
    this.map.on('sourcedata', (e) => {
      if (e.sourceId === 'basemap' && (e as { tile?: { state?: string } }).tile?.state === 'loaded') {
        this.basemapLoaded = true;
      }
    });
    this.map.on('error', (e) => {
      const src = (e as unknown as { sourceId?: string }).sourceId;
      if (src !== 'basemap' || this.basemapFailed) return;
      basemapErrors += 1;
      if (this.basemapLoaded || basemapErrors < 4) return;
      this.basemapFailed = true;
      if (this.map.getLayer('basemap')) this.map.removeLayer('basemap');
      if (this.map.getSource('basemap')) this.map.removeSource('basemap');
      // The server's own basemap takes its place (under tsunagi's layers), when there is one.
      if (local) addLocalBasemap(this.map, local, 'chome-line');
      this.onBasemapFailure(local !== null);
    });
    for (const layer of ['resources-point', 'resources-cluster']) {
      this.map.on('mouseenter', layer, () => (this.map.getCanvas().style.cursor = 'pointer'));
      this.map.on('mouseleave', layer, () => (this.map.getCanvas().style.cursor = ''));
    }
    this.map.on('mouseenter', 'match-candidates', () => (this.map.getCanvas().style.cursor = 'pointer'));
    this.map.on('mouseleave', 'match-candidates', () => (this.map.getCanvas().style.cursor = ''));
    this.map.on('click', (e) => {
      if (this.handlers.onMapClick([e.lngLat.lng, e.lngLat.lat])) return;
      const candidate = this.map.queryRenderedFeatures(e.point, { layers: ['match-candidates'] })[0];
      if (candidate && typeof candidate.properties?.id === 'string') {
        this.handlers.onCandidateClick?.(candidate.properties.id);
        return;
      }
      const hits = this.map.queryRenderedFeatures(e.point, {
        layers: ['resources-point', 'resources-cluster', 'numbered'],
      });
      const hit = hits[0];
      if (!hit) return;
      if (hit.layer.id === 'resources-cluster') {
        const g = hit.geometry as unknown as { coordinates: number[] };
        this.map.easeTo({ center: g.coordinates as [number, number], zoom: this.map.getZoom() + 2 });
        return;
      }
      const id = hit.properties?.id;
      if (typeof id === 'string') this.handlers.onResourceClick(id);
    });
    this.map.on('moveend', () => this.handlers.onMoveEnd());
    this.loaded = new Promise((resolve) => this.map.once('load', () => resolve()));
  }

  /** Whether the configured raster basemap drew any tile and is still drawn (print credits). */
  basemapDrawn(): boolean {
    return this.basemapLoaded && !this.basemapFailed && Boolean(this.map.getLayer('basemap'));
  }

  whenLoaded(): Promise<void> {
    return this.loaded;
  }

  /** The TileJSON carries the filters: a new filter is a new source URL. */
  setFilters(filterQuery: string): void {
    const src = this.map.getSource('resources') as maplibregl.VectorTileSource | undefined;
    src?.setUrl(resourcesUrl(filterQuery));
  }

  /** Fetches the resource tiles again (after an edit or a sign-in). */
  reloadResources(filterQuery: string): void {
    const src = this.map.getSource('resources') as maplibregl.VectorTileSource | undefined;
    if (!src) return;
    // setUrl loads the TileJSON again and reloads every tile; staff tiles are "private,
    // no-cache", so the browser revalidates them and gets the edited ones.
    src.setUrl(resourcesUrl(filterQuery));
  }

  setNumbered(items: { n: number; id: string; coordinates: [number, number] }[]): void {
    const fc: FC = {
      type: 'FeatureCollection',
      features: items.map((i) => ({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: i.coordinates },
        properties: { n: i.n, id: i.id },
      })),
    };
    // Before the style has loaded there is no source yet: the caller sets them again after 'load'.
    (this.map.getSource('numbered') as maplibregl.GeoJSONSource | undefined)?.setData(fc);
  }

  private setPointSource(name: 'point' | 'draft', p?: [number, number]): void {
    const fc: FC = p
      ? {
          type: 'FeatureCollection',
          features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: p }, properties: {} }],
        }
      : EMPTY;
    (this.map.getSource(name) as maplibregl.GeoJSONSource | undefined)?.setData(fc);
  }

  setPoint(p?: [number, number]): void {
    this.setPointSource('point', p);
  }

  setDraft(p?: [number, number]): void {
    this.setPointSource('draft', p);
  }

  /** The matching page on or off: the list's numbers and its point give way to the match. */
  setMatchMode(on: boolean): void {
    for (const id of ['numbered', 'point']) {
      if (this.map.getLayer(id)) this.map.setLayoutProperty(id, 'visibility', on ? 'none' : 'visible');
    }
    if (!on) this.setMatch(null);
  }

  /** A match answer on the map (null clears it): catchment, the person's point, candidates. */
  setMatch(
    m: {
      catchment: unknown;
      origin: [number, number];
      candidates: { id: string; n: number; coordinates: [number, number] }[];
    } | null,
  ): void {
    const set = (name: string, fc: FC) =>
      (this.map.getSource(name) as maplibregl.GeoJSONSource | undefined)?.setData(fc);
    set(
      'match-catchment',
      m?.catchment
        ? { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: m.catchment, properties: {} }] }
        : EMPTY,
    );
    set(
      'match-origin',
      m
        ? {
            type: 'FeatureCollection',
            features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: m.origin }, properties: {} }],
          }
        : EMPTY,
    );
    this.candidates = m?.candidates ?? [];
    this.setSelected(null, null);
  }

  private candidates: { id: string; n: number; coordinates: [number, number] }[] = [];

  /** The person's approximate point, before an answer draws it (undefined clears it). */
  setMatchOrigin(p?: [number, number]): void {
    (this.map.getSource('match-origin') as maplibregl.GeoJSONSource | undefined)?.setData(
      p
        ? { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: p }, properties: {} }] }
        : EMPTY,
    );
  }

  /** Highlights a candidate and draws its walking route (null: none). */
  setSelected(id: string | null, route: { type: 'LineString'; coordinates: [number, number][] } | null): void {
    (this.map.getSource('match-candidates') as maplibregl.GeoJSONSource | undefined)?.setData({
      type: 'FeatureCollection',
      features: this.candidates.map((c) => ({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: c.coordinates },
        properties: { id: c.id, n: c.n, selected: c.id === id },
      })),
    } as FC);
    (this.map.getSource('match-route') as maplibregl.GeoJSONSource | undefined)?.setData(
      route ? { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: route, properties: { id } }] } : EMPTY,
    );
  }

  center(): [number, number] {
    const c = this.map.getCenter();
    return [c.lng, c.lat];
  }
}

/** The map draws an icon per kind and opens a resource by its id, which every point carries:
 * it asks for no other property (fields=), and its tiles are about half the size. */
function resourcesUrl(filterQuery: string): string {
  const base = `${window.location.origin}/tiles/resources.json?fields=`;
  return filterQuery ? `${base}&${filterQuery}` : base;
}
