/**
 * The map page (bundled by scripts/build-web.mjs). Talks only to this server's API with the Bearer
 * key the user pastes (kept in localStorage); follows a mission with server-sent events read through
 * fetch (EventSource cannot send an Authorization header). Layers for a finished mission come from
 * its products: search_areas.geojson (areas, datum track, last known position), search_plan.geojson
 * (the planned rectangles, when the job had a plan), /missions/:id/density.json (the probability
 * grid of density.nc, one time step at a time) and /missions/:id/particles.json (particles per time).
 */
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import './app.css';
import { LEEWAY_CATEGORIES } from '../src/model/objects.js';

interface ApiErrorBody {
  error?: { code?: string; message?: string; fields?: Array<{ field: string; message: string }> };
}
interface Product {
  kind: string;
  bytes: number;
  url: string;
  href: string;
}
interface Mission {
  id: string;
  status: string;
  progress: number;
  params: Record<string, unknown>;
  warnings: string[];
  error: { code: string | null; message: string } | null;
  created_at: string;
  products?: Product[];
}
interface Particles {
  times: string[];
  particles_total: number;
  particles_shown: number;
  lon: Array<Array<number | null>>;
  lat: Array<Array<number | null>>;
  status: number[][];
}
interface AreaProps {
  kind: string;
  time: string;
  percent?: number;
  area_km2?: number;
  area_nm2?: number;
  pieces?: number;
  particles_fraction?: number;
  probable_error_m?: number;
}
/** search_plan.geojson feature properties (src/search/plan-products.ts). */
interface PlanProps {
  unit: string;
  start_time: string;
  end_time: string;
  detection: string;
  poc: number;
  pod: number;
  pos: number;
  coverage: number;
  track_spacing_nm: number;
  sweep_width_nm: number;
  area_nm2: number;
  length_nm: number;
  width_nm: number;
  track_bearing_deg: number;
  n_tracks: number;
  centre_ddm: string;
}
/** GET /missions/:id/density.json (src/api/density.ts). */
interface DensityStep {
  times: string[];
  t: number;
  time: string;
  grid: { west_deg: number; south_deg: number; dlon_deg: number; dlat_deg: number; nx: number; ny: number; cell_m: number | null };
  released: number;
  max: number;
  cells: number[];
  p: number[];
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from index.html`);
  return el as T;
};

const COLORS = {
  active: '#1d4ed8',
  stranded: '#dc2626',
  outside: '#6b7280',
  area: { 50: '#b91c1c', 90: '#ea580c', 95: '#ca8a04' } as Record<number, string>,
  datum: '#111827',
  plan: '#c026d3',
};
/**
 * Probability ramp (ColorBrewer YlGn, 5 classes): yellow-green, so it reads apart from the blue
 * particles, the red-orange-gold search areas and the magenta plan rectangles. Logarithmic over
 * DENSITY_DECADES below this step's largest cell: with a linear scale a 5000-particle cloud whose
 * fullest cell holds 5 % showed most cells (one or two particles, 0.02-0.04 %) as near-white.
 */
const DENSITY_RAMP: Array<[number, number, number]> = [
  [0xff, 0xff, 0xcc],
  [0xc2, 0xe6, 0x99],
  [0x78, 0xc6, 0x79],
  [0x31, 0xa3, 0x54],
  [0x00, 0x68, 0x37],
];
const DENSITY_DECADES = 3;
const DENSITY_ALPHA = 0.75;

/** Colour of a cell holding `fraction` (0 … 1] of this step's largest cell probability. */
function densityColor(fraction: number): [number, number, number] {
  const level = fraction > 0 ? 1 + Math.log10(fraction) / DENSITY_DECADES : 0;
  const x = Math.min(1, Math.max(0, level)) * (DENSITY_RAMP.length - 1);
  const i = Math.min(DENSITY_RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const a = DENSITY_RAMP[i] ?? [0, 0, 0];
  const b = DENSITY_RAMP[i + 1] ?? a;
  return [0, 1, 2].map((k) => Math.round((a[k] ?? 0) + ((b[k] ?? 0) - (a[k] ?? 0)) * f)) as [number, number, number];
}
const STATUS_NAMES = ['drifting', 'stranded', 'outside'];
const FINAL = new Set(['completed', 'failed', 'cancelled']);

class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody | null,
  ) {
    super(body?.error?.message ?? `HTTP ${status}`);
  }
}

const state = {
  key: localStorage.getItem('driftline.apiKey') ?? '',
  auth: true,
  selected: null as string | null,
  follow: null as AbortController | null,
  particles: null as Particles | null,
  areas: [] as GeoJSON.Feature[],
  plan: null as GeoJSON.FeatureCollection | null,
  /** density.json steps of the selected mission, by time index. */
  density: new Map<number, DensityStep>(),
  densityMissing: false,
  renderedT: -1,
  /** Time step whose density image is on the map (-1: none); tests wait for it. */
  densityDrawnT: -1,
};

function headers(): Record<string, string> {
  return state.key ? { authorization: `Bearer ${state.key}` } : {};
}

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, { ...init, headers: { ...headers(), ...(init.body ? { 'content-type': 'application/json' } : {}) } });
  const body = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) throw new ApiFailure(res.status, body as ApiErrorBody | null);
  return body as T;
}

// ---------------------------------------------------------------------------------------------- map

// preferCanvas: every mission layer on one canvas, drawn in the order added (particles last, on top).
// zoomSnap 0.5: a mission's cloud fits the view at half zoom levels too (whole levels left it at a quarter of the map).
const map = L.map('map', { preferCanvas: true, worldCopyJump: true, zoomControl: true, zoomSnap: 0.5 }).setView([60, 4], 5);
map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
// The probability grid sits under every other mission layer (overlay pane: z 400), above the land (350).
map.createPane('density').style.zIndex = '380';
// The plan's labels above the mission canvas. The rectangles themselves stay on that one canvas
// (brought to the front after each redraw): a second full-size canvas above it would take every click
// and the areas below would never open their figures.
map.createPane('plan').style.zIndex = '420';
const layers = {
  density: L.layerGroup().addTo(map),
  areas: L.layerGroup().addTo(map),
  particles: L.layerGroup().addTo(map),
  datum: L.layerGroup().addTo(map),
  lkp: L.layerGroup().addTo(map),
  plan: L.layerGroup().addTo(map),
  pick: L.layerGroup().addTo(map),
};
const layerControl = L.control
  .layers(
    undefined,
    {
      'Probability per cell': layers.density,
      'Search areas 50/90/95 %': layers.areas,
      'Search plan': layers.plan,
      Particles: layers.particles,
      'Datum track': layers.datum,
      'Last known position': layers.lkp,
    },
    // Collapsed behind the layers button on a tablet-sized map: open, it covers a quarter of it.
    { collapsed: window.matchMedia('(max-width: 900px)').matches, position: 'topright' },
  )
  .addTo(map);
L.control.scale({ imperial: true, position: 'bottomleft' }).addTo(map);

const fmtPct = (fraction: number, digits = 1): string => `${(fraction * 100).toFixed(digits)} %`;
/** A probability per cell as a coordinator reads it: 4.8 %, 0.35 %, 0.02 %. */
const fmtCellPct = (fraction: number): string => `${Number((fraction * 100).toPrecision(2))} %`;

const legend = new L.Control({ position: 'bottomright' });
let legendDensity: HTMLElement | null = null;
legend.onAdd = () => {
  const div = L.DomUtil.create('div', 'legend');
  const stops = DENSITY_RAMP.map((c, i) => `rgb(${c.join(',')}) ${(i / (DENSITY_RAMP.length - 1)) * 100}%`).join(', ');
  div.innerHTML = [
    `<div class="legend-density" hidden><div class="legend-title">Probability per cell</div><div class="ramp" style="background:linear-gradient(to right, ${stops})"></div><div class="ramp-labels" id="density-labels"></div><div id="density-cell" class="legend-note"></div></div>`,
    `<div><i class="sq line" style="border-color:${COLORS.area[50]}"></i><i class="sq line" style="border-color:${COLORS.area[90]}"></i><i class="sq line" style="border-color:${COLORS.area[95]}"></i>50 / 90 / 95 % areas</div>`,
    `<div class="legend-plan" hidden><i class="sq line thick" style="border-color:${COLORS.plan}"></i>search plan</div>`,
    `<div><i style="background:${COLORS.active}"></i>drifting <i style="background:${COLORS.stranded}"></i>stranded <i style="background:${COLORS.outside}"></i>outside</div>`,
  ].join('');
  L.DomEvent.disableClickPropagation(div);
  legendDensity = div.querySelector('.legend-density');
  return div;
};
legend.addTo(map);

async function loadBasemap(): Promise<void> {
  const config = (await (await fetch('/config.json')).json()) as { auth: boolean; basemap_url: string | null };
  $('key-box').hidden = !config.auth;
  state.auth = config.auth;
  if (config.basemap_url) L.tileLayer(config.basemap_url, { maxZoom: 18 }).addTo(map);
  // The built-in coastline: Natural Earth 1:50m land (public domain), no tiles from the internet.
  const land = (await (await fetch('/land.geojson')).json()) as GeoJSON.GeoJsonObject;
  // Its own pane and canvas below the overlay pane (z 400), so it never covers the mission's layers.
  map.createPane('land').style.zIndex = '350';
  const landRenderer = L.canvas({ pane: 'land', padding: 0.3 });
  L.geoJSON(land, { interactive: false, pane: 'land', attribution: 'land: Natural Earth', style: { color: '#8c9a7e', weight: 0.7, fillColor: '#ece8da', fillOpacity: 1, renderer: landRenderer } as L.PathOptions }).addTo(map);
}

// --------------------------------------------------------------------------------------------- form

function utcHourInput(): string {
  const d = new Date();
  d.setUTCMinutes(0, 0, 0);
  return d.toISOString().slice(0, 16);
}

function setPosition(lat: number, lon: number): void {
  $<HTMLInputElement>('lat').value = lat.toFixed(4);
  $<HTMLInputElement>('lon').value = lon.toFixed(4);
  layers.pick.clearLayers();
  L.circleMarker([lat, lon], { radius: 7, color: '#111827', weight: 2, fillColor: '#fde047', fillOpacity: 1 }).addTo(layers.pick);
}

function vector(text: string, name: string): [number, number] | undefined {
  if (text.trim() === '') return undefined;
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 2 || parts.some((n) => !Number.isFinite(n))) throw new Error(`${name}: expected "u,v" in m/s, e.g. 5,0`);
  return [parts[0] ?? 0, parts[1] ?? 0];
}

function objectType(text: string): string | number {
  const t = text.trim();
  const byKey = LEEWAY_CATEGORIES.find((c) => c.key.toLowerCase() === t.toLowerCase());
  if (byKey) return byKey.key;
  const byLabel = LEEWAY_CATEGORIES.find((c) => `${c.key} ${c.description}`.toLowerCase() === t.toLowerCase());
  if (byLabel) return byLabel.key;
  return /^\d+$/.test(t) ? Number(t) : t;
}

async function submit(ev: SubmitEvent): Promise<void> {
  ev.preventDefault();
  const error = $('form-error');
  error.textContent = '';
  const button = $<HTMLButtonElement>('submit-button');
  try {
    const wind = vector($<HTMLInputElement>('wind').value, 'wind');
    const current = vector($<HTMLInputElement>('current').value, 'current');
    const params: Record<string, unknown> = {
      latitude: Number($<HTMLInputElement>('lat').value),
      longitude: Number($<HTMLInputElement>('lon').value),
      start_time: `${$<HTMLInputElement>('start').value}:00Z`,
      duration_hours: Number($<HTMLInputElement>('hours').value),
      num_particles: Number($<HTMLInputElement>('particles').value),
      radius_m: Number($<HTMLInputElement>('radius').value || 0),
      object_type: objectType($<HTMLInputElement>('object').value),
      products: { animation: false },
    };
    if (wind || current) params.forcing = { ...(wind ? { wind: { constant: wind } } : {}), ...(current ? { current: { constant: current } } : {}) };
    button.disabled = true;
    const m = await api<Mission>('/missions', { method: 'POST', body: JSON.stringify({ params }) });
    await refreshList();
    await select(m.id);
  } catch (e) {
    if (e instanceof ApiFailure && e.body?.error?.fields) error.textContent = e.body.error.fields.map((f) => `${f.field}: ${f.message}`).join('\n');
    else error.textContent = (e as Error).message;
  } finally {
    button.disabled = false;
  }
}

// ----------------------------------------------------------------------------------------- missions

async function refreshList(): Promise<void> {
  const ul = $('missions');
  if (state.auth && !state.key) {
    const li = document.createElement('li');
    li.textContent = 'Paste an API key above (driftline apikey create).';
    ul.replaceChildren(li);
    return;
  }
  try {
    const page = await api<{ missions: Mission[] }>('/missions?limit=30');
    ul.replaceChildren(
      ...page.missions.map((m) => {
        const li = document.createElement('li');
        li.dataset.id = m.id;
        if (m.id === state.selected) li.classList.add('selected');
        const id = document.createElement('span');
        id.className = 'id';
        id.textContent = m.id;
        id.title = `${m.id}\ncreated ${m.created_at}`;
        const badge = document.createElement('span');
        badge.className = `badge ${m.status}`;
        badge.textContent = m.status === 'processing' ? `${Math.round(m.progress * 100)} %` : m.status;
        li.append(id, badge);
        li.addEventListener('click', () => void select(m.id));
        return li;
      }),
    );
  } catch (e) {
    const li = document.createElement('li');
    li.textContent = e instanceof ApiFailure && e.status === 401 ? 'Paste an API key above (driftline apikey create).' : (e as Error).message;
    ul.replaceChildren(li);
  }
}

function showStatus(status: string, progress: number): void {
  const badge = $('mission-status');
  badge.className = `badge ${status}`;
  badge.textContent = status;
  $<HTMLProgressElement>('mission-progress').value = status === 'completed' ? 1 : progress;
  $<HTMLButtonElement>('cancel').hidden = FINAL.has(status);
}

async function select(id: string): Promise<void> {
  state.selected = id;
  state.follow?.abort();
  state.follow = null;
  for (const li of document.querySelectorAll('#missions li')) li.classList.toggle('selected', (li as HTMLElement).dataset.id === id);
  $('mission').hidden = false;
  // On a tablet the panel is below the map and may be scrolled down to the list: bring the mission up.
  $('panel').scrollTop = 0;
  $('mission-title').textContent = id;
  $('mission-error').textContent = '';
  $('downloads').replaceChildren();
  $('figures').replaceChildren();
  $('plan').replaceChildren();
  $('timebox').hidden = true;
  for (const k of ['density', 'areas', 'particles', 'datum', 'lkp', 'plan'] as const) layers[k].clearLayers();
  state.areas = [];
  state.plan = null;
  state.particles = null;
  state.density = new Map();
  state.densityMissing = false;
  state.renderedT = -1;
  state.densityDrawnT = -1;
  showDensityLegend(null);
  const m = await api<Mission>(`/missions/${encodeURIComponent(id)}`);
  showStatus(m.status, m.progress);
  const lat = m.params.latitude;
  const lon = m.params.longitude;
  if (typeof lat === 'number' && typeof lon === 'number') {
    L.circleMarker([lat, lon], { radius: 6, color: '#111827', weight: 2, fillColor: '#ffffff', fillOpacity: 1 }).bindTooltip('last known position').addTo(layers.lkp);
  }
  if (m.status === 'completed') await showProducts(m);
  else if (FINAL.has(m.status)) $('mission-error').textContent = m.error ? `${m.error.code ?? ''} ${m.error.message}` : m.status;
  else void follow(id);
}

/** Server-sent events through fetch, so the Bearer key can be sent. */
async function follow(id: string): Promise<void> {
  const ctl = new AbortController();
  state.follow = ctl;
  try {
    const res = await fetch(`/missions/${encodeURIComponent(id)}/events`, { headers: headers(), signal: ctl.signal });
    if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    let status = 'queued';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event === undefined || data === undefined) continue;
        const payload = JSON.parse(data) as { status?: string; progress?: number };
        if (event === 'stage' && payload.status) status = payload.status;
        if (FINAL.has(event)) status = event;
        showStatus(status, payload.progress ?? $<HTMLProgressElement>('mission-progress').value);
      }
    }
    if (state.selected === id) {
      void refreshList();
      await select(id);
    }
  } catch (e) {
    if (!ctl.signal.aborted) $('mission-error').textContent = `lost the event stream: ${(e as Error).message}`;
  }
}

/** What each product is, for the download list (src/products/types.ts PRODUCT_PATHS). */
const PRODUCT_LABELS: Record<string, string> = {
  trajectory: 'Particles, every output time (NetCDF, OpenDrift layout)',
  density: 'Probability grid per time (NetCDF)',
  search_areas_geojson: 'Search areas and datum track (GeoJSON)',
  search_areas_kml: 'Search areas and datum track (KML, Google Earth)',
  search_plan_geojson: 'Search plan rectangles (GeoJSON)',
  search_plan_kml: 'Search plan rectangles (KML, Google Earth)',
  leeway_ascii: 'Leeway ASCII report (text)',
  animation: 'Animation (MP4)',
  summary: 'Summary of the mission (JSON)',
};

function fmtBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10_240 ? 1 : 0)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function showProducts(m: Mission): Promise<void> {
  const downloads = $('downloads');
  downloads.replaceChildren(
    ...(m.products ?? []).map((p) => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = p.url;
      a.textContent = PRODUCT_LABELS[p.kind] ?? p.kind.replace(/_/g, ' ');
      a.download = '';
      a.title = p.kind;
      const size = document.createElement('span');
      size.className = 'size';
      size.textContent = fmtBytes(p.bytes);
      li.append(a, size);
      return li;
    }),
  );
  const id = encodeURIComponent(m.id);
  const has = (kind: string) => m.products?.some((p) => p.kind === kind) ?? false;
  const product = <T>(kind: string): Promise<T | null> => (has(kind) ? api<T>(`/missions/${id}/products/${kind}`) : Promise.resolve(null));
  const [areas, plan, particles] = await Promise.all([
    product<GeoJSON.FeatureCollection>('search_areas_geojson'),
    product<GeoJSON.FeatureCollection>('search_plan_geojson'),
    has('trajectory') ? api<Particles>(`/missions/${id}/particles.json`) : Promise.resolve(null),
  ]);
  if (state.selected !== m.id) return;
  state.areas = areas?.features ?? [];
  state.plan = plan;
  state.particles = particles;
  state.densityMissing = !has('density');
  const datums = state.areas.filter((f) => (f.properties as AreaProps).kind === 'datum');
  if (datums.length > 1) {
    const line = datums.map((f) => [...(f.geometry as GeoJSON.Point).coordinates].reverse() as [number, number]);
    L.polyline(line, { color: COLORS.datum, weight: 2, dashArray: '5 4' }).bindTooltip('datum track').addTo(layers.datum);
  }
  showPlan(plan);
  const times = particles?.times ?? [...new Set(datums.map((f) => (f.properties as AreaProps).time))];
  const slider = $<HTMLInputElement>('time');
  slider.max = String(Math.max(0, times.length - 1));
  slider.value = slider.max;
  $('timebox').hidden = times.length === 0;
  render(times, Number(slider.value));
  slider.oninput = () => render(times, Number(slider.value));
  const bounds = L.latLngBounds([]);
  for (const l of [layers.areas, layers.particles, layers.lkp, layers.datum, layers.plan]) {
    l.eachLayer((x) => {
      if (x instanceof L.Tooltip) return;
      bounds.extend((x as L.Polyline).getBounds?.() ?? (x as L.CircleMarker).getLatLng());
    });
  }
  if (bounds.isValid()) map.fitBounds(bounds.pad(0.15), { maxZoom: 11 });
}

/** "2024-01-02T06:00:00Z" -> "2024-01-02 06:00 UTC". */
const fmtTime = (iso: string): string => iso.replace('T', ' ').replace(/:00(\.000)?Z$/, ' UTC');

function figuresTable(title: string, rows: Array<[string, string]>): string {
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<div class="popup"><b>${esc(title)}</b><table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table></div>`;
}

function areaFigures(p: AreaProps): string {
  return figuresTable(`${p.percent} % search area`, [
    ['time', fmtTime(p.time)],
    ['area', `${p.area_km2?.toLocaleString('en', { maximumFractionDigits: 1 })} km²`],
    ...(p.area_nm2 !== undefined ? [['', `${p.area_nm2.toLocaleString('en', { maximumFractionDigits: 1 })} NM²`] as [string, string]] : []),
    ['particles inside', fmtPct(p.particles_fraction ?? 0)],
    ...(p.pieces !== undefined && p.pieces > 1 ? [['pieces', String(p.pieces)] as [string, string]] : []),
  ]);
}

function planFigures(p: PlanProps): string {
  return figuresTable(p.unit, [
    ['search', `${fmtTime(p.start_time)} – ${fmtTime(p.end_time).slice(11)}`],
    ['POC', fmtPct(p.poc)],
    ['POD', `${fmtPct(p.pod)} (${p.detection})`],
    ['POS', fmtPct(p.pos)],
    ['coverage', p.coverage.toFixed(2)],
    ['track spacing', `${p.track_spacing_nm.toFixed(2)} NM × ${p.n_tracks} tracks`],
    ['sweep width', `${p.sweep_width_nm.toFixed(2)} NM`],
    ['rectangle', `${p.length_nm.toFixed(1)} × ${p.width_nm.toFixed(1)} NM = ${p.area_nm2.toFixed(1)} NM²`],
    ['tracks', `${p.track_bearing_deg.toFixed(0)}° / ${((p.track_bearing_deg + 180) % 360).toFixed(0)}°`],
    ['centre', p.centre_ddm],
  ]);
}

function showPlan(plan: GeoJSON.FeatureCollection | null): void {
  layers.plan.clearLayers();
  const box = $('plan');
  const legendPlan = document.querySelector<HTMLElement>('.legend-plan');
  if (legendPlan) legendPlan.hidden = plan === null || plan.features.length === 0;
  if (plan === null || plan.features.length === 0) {
    box.replaceChildren();
    return;
  }
  for (const f of plan.features) {
    const p = f.properties as PlanProps;
    const rect = L.geoJSON(f, { style: { color: COLORS.plan, weight: 3, fillColor: COLORS.plan, fillOpacity: 0.06, bubblingMouseEvents: false } as L.PathOptions })
      .bindPopup(planFigures(p), { maxWidth: 320 })
      .addTo(layers.plan);
    // The label sits above the rectangle's northernmost corner: units searched one inside another
    // (a lifeboat inside a helicopter's box) would stack their labels at a shared centre.
    const ring = f.geometry.type === 'Polygon' ? (f.geometry.coordinates[0] ?? []) : [];
    const north = ring.reduce<number[] | null>((best, c) => (best === null || (c[1] ?? -90) > (best[1] ?? -90) ? c : best), null);
    if (north && north[0] !== undefined && north[1] !== undefined) {
      L.tooltip({ permanent: true, direction: 'top', className: 'plan-label', offset: [0, -4], pane: 'plan' })
        .setLatLng([north[1], north[0]])
        .setContent(`${p.unit.replace(/&/g, '&amp;').replace(/</g, '&lt;')} · POS ${fmtPct(p.pos, 0)}`)
        .addTo(layers.plan);
    } else {
      rect.bindTooltip(`${p.unit} · POS ${fmtPct(p.pos, 0)}`, { permanent: true, direction: 'center', className: 'plan-label' });
    }
  }
  const cumulative = (plan as unknown as { cumulative_pos?: number }).cumulative_pos;
  const rows = plan.features.map((f) => {
    const p = f.properties as PlanProps;
    return `<tr><td>${p.unit.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</td><td>${fmtPct(p.pos)}</td><td>${fmtPct(p.poc, 0)}</td><td>${fmtPct(p.pod, 0)}</td><td>${p.area_nm2.toFixed(0)}</td></tr>`;
  });
  box.innerHTML = `<h3>Search plan</h3><table><tr><th>unit</th><th>POS</th><th>POC</th><th>POD</th><th>NM²</th></tr>${rows.join('')}${cumulative !== undefined ? `<tr class="total"><td>all units</td><td>${fmtPct(cumulative)}</td><td></td><td></td><td></td></tr>` : ''}</table><p class="hint">Click a rectangle on the map for its track spacing, coverage and corners.</p>`;
}

function showDensityLegend(step: DensityStep | null): void {
  if (!legendDensity) return;
  legendDensity.hidden = step === null;
  if (step === null) return;
  const labels = legendDensity.querySelector('#density-labels');
  const cell = legendDensity.querySelector('#density-cell');
  // One label per decade of the log scale: max/1000 (and below), max/100, max/10, max.
  if (labels) {
    labels.replaceChildren(
      ...Array.from({ length: DENSITY_DECADES + 1 }, (_, k) => {
        const span = document.createElement('span');
        const v = step.max / 10 ** (DENSITY_DECADES - k);
        span.textContent = k === DENSITY_DECADES ? fmtCellPct(v) : `${Number((v * 100).toPrecision(2))}`;
        return span;
      }),
    );
  }
  if (cell) cell.textContent = step.grid.cell_m !== null ? `of ${step.released.toLocaleString('en')} particles, ${(step.grid.cell_m / 1000).toFixed(step.grid.cell_m < 10_000 ? 1 : 0)} km cells` : `of ${step.released.toLocaleString('en')} particles`;
}

const mercatorY = (latDeg: number): number => Math.log(Math.tan(Math.PI / 4 + (latDeg * Math.PI) / 360));
const latOfMercatorY = (y: number): number => (Math.atan(Math.exp(y)) * 360) / Math.PI - 90;

/**
 * The step's grid as an image overlay. The grid is regular in latitude but the map is Web Mercator,
 * so each image row is mapped back to its grid row (an image stretched linearly between its south and
 * north edges would misplace the middle rows by up to half a cell per ~5° of height).
 */
function drawDensity(step: DensityStep): void {
  layers.density.clearLayers();
  state.densityDrawnT = -1;
  showDensityLegend(step);
  const { nx, ny, west_deg, south_deg, dlon_deg, dlat_deg } = step.grid;
  if (step.cells.length === 0 || step.max <= 0 || nx === 0 || ny === 0) return;
  const northDeg = Math.min(85, south_deg + ny * dlat_deg);
  const southDeg = Math.max(-85, south_deg);
  // 4 image rows per grid row (at most 4096): enough that the Mercator row mapping is smooth.
  const height = Math.min(4096, ny * 4);
  const canvas = document.createElement('canvas');
  canvas.width = nx;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const rgba = new Uint8ClampedArray(nx * ny * 4);
  step.cells.forEach((cell, k) => {
    const [r, g, b] = densityColor((step.p[k] ?? 0) / step.max);
    rgba.set([r, g, b, Math.round(DENSITY_ALPHA * 255)], cell * 4);
  });
  const img = ctx.createImageData(nx, height);
  const yN = mercatorY(northDeg);
  const yS = mercatorY(southDeg);
  for (let row = 0; row < height; row++) {
    const lat = latOfMercatorY(yN - ((row + 0.5) / height) * (yN - yS));
    const gy = Math.min(ny - 1, Math.max(0, Math.floor((lat - south_deg) / dlat_deg)));
    img.data.set(rgba.subarray(gy * nx * 4, (gy + 1) * nx * 4), row * nx * 4);
  }
  ctx.putImageData(img, 0, 0);
  const bounds = L.latLngBounds([southDeg, west_deg], [northDeg, west_deg + nx * dlon_deg]);
  const overlay = L.imageOverlay(canvas.toDataURL('image/png'), bounds, { pane: 'density', opacity: 1, interactive: false, className: 'density-image' });
  overlay.once('load', () => (state.densityDrawnT = step.t));
  overlay.addTo(layers.density);
}

/** Draws time step t's density, fetching it once (steps are kept while the mission is selected). */
async function showDensity(missionId: string, t: number): Promise<void> {
  if (state.densityMissing) return;
  let step = state.density.get(t);
  if (step === undefined) {
    try {
      step = await api<DensityStep>(`/missions/${encodeURIComponent(missionId)}/density.json?t=${t}`);
    } catch (e) {
      if (state.selected === missionId) $('mission-error').textContent = `probability layer: ${(e as Error).message}`;
      return;
    }
    state.density.set(t, step);
  }
  // The slider may have moved on while this step was on its way.
  if (state.selected === missionId && state.renderedT === t) drawDensity(step);
}

function render(times: string[], t: number): void {
  const time = times[t] ?? '';
  state.renderedT = t;
  $('time-label').textContent = fmtTime(time);
  if (state.selected) void showDensity(state.selected, t);
  layers.areas.clearLayers();
  // Products write "…T21:00:00Z", the particles endpoint "…T21:00:00.000Z": compare instants.
  const timeMs = Date.parse(time);
  const here = state.areas.filter((f) => Date.parse((f.properties as AreaProps).time) === timeMs);
  const areas = here.filter((f) => (f.properties as AreaProps).kind === 'search_area').sort((a, b) => ((b.properties as AreaProps).percent ?? 0) - ((a.properties as AreaProps).percent ?? 0));
  for (const f of areas) {
    const p = f.properties as AreaProps;
    const color = COLORS.area[p.percent ?? 0] ?? '#7c3aed';
    // A hair of fill so a click inside the area (not only on its outline) opens its figures.
    L.geoJSON(f, { style: { color, weight: 2.5, fillColor: color, fillOpacity: 0.04, bubblingMouseEvents: false } as L.PathOptions })
      .bindPopup(areaFigures(p), { maxWidth: 280 })
      .addTo(layers.areas);
  }
  for (const f of here.filter((x) => (x.properties as AreaProps).kind === 'datum')) {
    const [lon, lat] = (f.geometry as GeoJSON.Point).coordinates;
    const pe = (f.properties as AreaProps).probable_error_m;
    if (lon !== undefined && lat !== undefined) L.circleMarker([lat, lon], { radius: 5, color: COLORS.datum, weight: 2, fillColor: '#fff', fillOpacity: 1 }).bindTooltip(`datum ${fmtTime(time)}${pe !== undefined ? `, probable error ${(pe / 1852).toFixed(1)} NM` : ''}`).addTo(layers.areas);
  }
  layers.particles.clearLayers();
  const counts = [0, 0, 0];
  const P = state.particles;
  if (P) {
    const lons = P.lon[t] ?? [];
    const lats = P.lat[t] ?? [];
    const sts = P.status[t] ?? [];
    for (let i = 0; i < lons.length; i++) {
      const lon = lons[i];
      const lat = lats[i];
      const s = sts[i] ?? -1;
      if (lon === null || lat === null || lon === undefined || lat === undefined || s < 0) continue;
      counts[s] = (counts[s] ?? 0) + 1;
      const color = s === 1 ? COLORS.stranded : s === 2 ? COLORS.outside : COLORS.active;
      L.circleMarker([lat, lon], { radius: 2, stroke: false, fillColor: color, fillOpacity: 0.85, interactive: false }).addTo(layers.particles);
    }
  }
  // Drawn last, so the rectangles are on top of the areas and particles, and a click inside one opens it.
  layers.plan.eachLayer((l) => (l as L.GeoJSON).bringToFront?.());
  const shown = P ? ` (${P.particles_shown} of ${P.particles_total} shown)` : '';
  $('counts').textContent = P ? `${counts.map((c, i) => `${c} ${STATUS_NAMES[i]}`).join(', ')}${shown}` : '';
  const table = areas.map((f) => {
    const p = f.properties as AreaProps;
    return `<tr><td>${p.percent} %</td><td>${p.area_km2?.toLocaleString('en', { maximumFractionDigits: 1 })} km²</td><td>${p.area_nm2 !== undefined ? `${p.area_nm2.toLocaleString('en', { maximumFractionDigits: 1 })} NM²` : ''}</td><td>${fmtPct(p.particles_fraction ?? 0)}</td></tr>`;
  });
  $('figures').innerHTML = table.length ? `<table><tr><th>area</th><th>size</th><th></th><th>particles</th></tr>${table.join('')}</table>` : '';
}

// --------------------------------------------------------------------------------------------- start

function start(): void {
  const datalist = $('categories');
  for (const c of LEEWAY_CATEGORIES) {
    const o = document.createElement('option');
    o.value = c.key;
    o.label = `${c.id}: ${c.description.replace(/^>+\s*/, '')}`;
    datalist.append(o);
  }
  $<HTMLInputElement>('start').value = utcHourInput();
  const keyInput = $<HTMLInputElement>('api-key');
  keyInput.value = state.key;
  keyInput.addEventListener('change', () => {
    state.key = keyInput.value.trim();
    localStorage.setItem('driftline.apiKey', state.key);
    void refreshList();
  });
  $('form').addEventListener('submit', (e) => void submit(e as SubmitEvent));
  $('refresh').addEventListener('click', () => void refreshList());
  $('cancel').addEventListener('click', () => {
    if (state.selected) void api(`/missions/${encodeURIComponent(state.selected)}/cancel`, { method: 'POST' }).catch((e: Error) => ($('mission-error').textContent = e.message));
  });
  map.on('click', (e: L.LeafletMouseEvent) => setPosition(e.latlng.lat, e.latlng.lng));
  setPosition(60, 4.5);
  void loadBasemap().then(refreshList);
  // The list shows other people's missions too; every 10 s is plenty for a human-scale view.
  setInterval(() => void refreshList(), 10_000);
  // For tests and the curious: the map and state from the console.
  (window as unknown as { driftline: unknown }).driftline = { map, state, layers, layerControl, densityColor, DENSITY_ALPHA };
}

start();
