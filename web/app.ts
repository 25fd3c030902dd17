/**
 * The map page (bundled by scripts/build-web.mjs). Talks only to this server's API with the Bearer
 * key the user pastes (kept in localStorage); follows a mission with server-sent events read through
 * fetch (EventSource cannot send an Authorization header). Layers for a finished mission come from
 * its products: search_areas.geojson (areas, datum track, last known position) and
 * /missions/:id/particles.json (particles per output time).
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
  particles_fraction?: number;
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
};
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
const map = L.map('map', { preferCanvas: true, worldCopyJump: true, zoomControl: true }).setView([60, 4], 5);
map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
const layers = {
  areas: L.layerGroup().addTo(map),
  particles: L.layerGroup().addTo(map),
  datum: L.layerGroup().addTo(map),
  lkp: L.layerGroup().addTo(map),
  pick: L.layerGroup().addTo(map),
};
L.control
  .layers(undefined, { 'Search areas 50/90/95 %': layers.areas, Particles: layers.particles, 'Datum track': layers.datum, 'Last known position': layers.lkp }, { collapsed: false, position: 'topright' })
  .addTo(map);
L.control.scale({ imperial: false, position: 'bottomleft' }).addTo(map);
const legend = new L.Control({ position: 'bottomright' });
legend.onAdd = () => {
  const div = L.DomUtil.create('div', 'legend');
  div.innerHTML = [
    `<div><i style="background:${COLORS.active}"></i>drifting</div>`,
    `<div><i style="background:${COLORS.stranded}"></i>stranded</div>`,
    `<div><i style="background:${COLORS.outside}"></i>outside forcing</div>`,
    ...[50, 90, 95].map((p) => `<div><i class="sq" style="background:${COLORS.area[p]}"></i>${p} % area</div>`),
  ].join('');
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
  $('mission-title').textContent = id;
  $('mission-error').textContent = '';
  $('downloads').replaceChildren();
  $('figures').replaceChildren();
  $('timebox').hidden = true;
  for (const k of ['areas', 'particles', 'datum', 'lkp'] as const) layers[k].clearLayers();
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

async function showProducts(m: Mission): Promise<void> {
  const downloads = $('downloads');
  downloads.replaceChildren(
    ...(m.products ?? []).map((p) => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = p.url;
      a.textContent = p.kind.replace(/_/g, ' ');
      a.download = '';
      li.append(a, ` (${(p.bytes / 1024).toFixed(p.bytes < 10_240 ? 1 : 0)} KiB)`);
      return li;
    }),
  );
  const id = encodeURIComponent(m.id);
  const [areas, particles] = await Promise.all([
    m.products?.some((p) => p.kind === 'search_areas_geojson')
      ? fetch(`/missions/${id}/products/search_areas_geojson`, { headers: headers() }).then((r) => r.json() as Promise<GeoJSON.FeatureCollection>)
      : Promise.resolve(null),
    m.products?.some((p) => p.kind === 'trajectory') ? api<Particles>(`/missions/${id}/particles.json`) : Promise.resolve(null),
  ]);
  if (state.selected !== m.id) return;
  state.areas = areas?.features ?? [];
  state.particles = particles;
  const datums = state.areas.filter((f) => (f.properties as AreaProps).kind === 'datum');
  if (datums.length > 1) {
    const line = datums.map((f) => [...(f.geometry as GeoJSON.Point).coordinates].reverse() as [number, number]);
    L.polyline(line, { color: COLORS.datum, weight: 2, dashArray: '5 4' }).bindTooltip('datum track').addTo(layers.datum);
  }
  const times = particles?.times ?? [...new Set(datums.map((f) => (f.properties as AreaProps).time))];
  const slider = $<HTMLInputElement>('time');
  slider.max = String(Math.max(0, times.length - 1));
  slider.value = slider.max;
  $('timebox').hidden = times.length === 0;
  render(times, Number(slider.value));
  slider.oninput = () => render(times, Number(slider.value));
  const bounds = L.latLngBounds([]);
  for (const l of [layers.areas, layers.particles, layers.lkp, layers.datum]) l.eachLayer((x) => bounds.extend((x as L.Polyline).getBounds?.() ?? (x as L.CircleMarker).getLatLng()));
  if (bounds.isValid()) map.fitBounds(bounds.pad(0.3), { maxZoom: 11 });
}

function areaFigures(p: AreaProps): string {
  return `<b>${p.percent} % search area</b><br>${p.time}<br>${p.area_km2?.toLocaleString()} km²<br>${((p.particles_fraction ?? 0) * 100).toFixed(1)} % of particles inside`;
}

function render(times: string[], t: number): void {
  const time = times[t] ?? '';
  $('time-label').textContent = time.replace('T', ' ').replace(':00.000Z', ' UTC');
  layers.areas.clearLayers();
  // Products write "…T21:00:00Z", the particles endpoint "…T21:00:00.000Z": compare instants.
  const timeMs = Date.parse(time);
  const here = state.areas.filter((f) => Date.parse((f.properties as AreaProps).time) === timeMs);
  const areas = here.filter((f) => (f.properties as AreaProps).kind === 'search_area').sort((a, b) => ((b.properties as AreaProps).percent ?? 0) - ((a.properties as AreaProps).percent ?? 0));
  for (const f of areas) {
    const p = f.properties as AreaProps;
    const color = COLORS.area[p.percent ?? 0] ?? '#7c3aed';
    L.geoJSON(f, { style: { color, weight: 2, fillColor: color, fillOpacity: 0.12 } }).bindPopup(areaFigures(p)).addTo(layers.areas);
  }
  for (const f of here.filter((x) => (x.properties as AreaProps).kind === 'datum')) {
    const [lon, lat] = (f.geometry as GeoJSON.Point).coordinates;
    if (lon !== undefined && lat !== undefined) L.circleMarker([lat, lon], { radius: 5, color: COLORS.datum, weight: 2, fillColor: '#fff', fillOpacity: 1 }).bindTooltip(`datum ${time}`).addTo(layers.areas);
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
      L.circleMarker([lat, lon], { radius: 2.5, stroke: false, fillColor: color, fillOpacity: 0.85, interactive: false }).addTo(layers.particles);
    }
  }
  const shown = P ? ` (${P.particles_shown} of ${P.particles_total} shown)` : '';
  $('counts').textContent = P ? `${counts.map((c, i) => `${c} ${STATUS_NAMES[i]}`).join(', ')}${shown}` : '';
  const table = areas.map((f) => {
    const p = f.properties as AreaProps;
    return `<tr><td>${p.percent} %</td><td>${p.area_km2?.toLocaleString()} km²</td><td>${((p.particles_fraction ?? 0) * 100).toFixed(1)} %</td></tr>`;
  });
  $('figures').innerHTML = table.length ? `<table><tr><th>area</th><th>size</th><th>particles</th></tr>${table.join('')}</table>` : '';
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
  (window as unknown as { driftline: unknown }).driftline = { map, state, layers };
}

start();
