/**
 * The forcing source policy: which URIs a mission may read forcing from. A job is untrusted input, so
 * a queued job may read only
 *  - s3:// objects under an allowed bucket/prefix (FORCING_ALLOW; default the forcing bucket
 *    FORCING_BUCKET, plus the directories of the operator's own FORCING_*_URI), never the results
 *    bucket S3_BUCKET (other missions' products) unless FORCING_ALLOW or a FORCING_*_URI names it;
 *  - https:// (http:// only when an entry says http://) URLs under an allowed host/port/path prefix,
 *    whose host resolves to public addresses only (FORCING_ALLOW_PRIVATE_NETWORKS=true lifts that);
 *  - local files only inside FORCING_ALLOW_LOCAL directories (`driftline run` allows any local file:
 *    it runs on the user's own machine with the user's own rights).
 *
 * URIs are matched on their parsed parts (scheme, host, port, bucket, path segments on a segment
 * boundary), never as raw string prefixes; `.`/`..` segments, percent-encoded dots, slashes or
 * backslashes, backslashes, control characters and user:password@ are refused outright, so no server
 * can normalise an allowed-looking URI into another one.
 *
 * Pure: no I/O here (DNS and realpath happen in fetch.ts / http.ts, which call these checks).
 * Refusal reasons name the rule, never anything learnt about the target.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DriftlineError } from '../errors.js';
import { redactUrl } from '../redact.js';

export type RemoteScheme = 's3' | 'https' | 'http';

/** A URI split into the parts the policy compares. */
export interface RemoteParts {
  scheme: RemoteScheme;
  /** s3: the bucket; http(s): lower-case host name without a trailing dot, `[v6]` for IPv6 literals. */
  host: string;
  /** http(s): the port, '' for the scheme's default; s3: ''. */
  port: string;
  /** Percent-decoded path segments (s3: the key split on '/'). */
  segments: string[];
}

export interface AllowEntry extends RemoteParts {
  /** Which setting put the entry there (FORCING_ALLOW, FORCING_BUCKET, FORCING_WIND_URI, …). */
  origin: string;
}

export interface ForcingPolicy {
  allow: readonly AllowEntry[];
  /**
   * 'none': no local files (a queued job without FORCING_ALLOW_LOCAL); 'dirs': real paths inside these
   * directories, or one of the operator's own files; 'anywhere': any local file (`driftline run`).
   */
  local: { mode: 'none' | 'dirs' | 'anywhere'; dirs: readonly string[]; files: readonly string[] };
  /** S3_BUCKET: readable only through an entry from FORCING_ALLOW or a FORCING_*_URI. */
  resultsBucket: string;
  allowPrivateNetworks: boolean;
  maxBytes: number;
  fetchTimeoutMs: number;
}

/**
 * Redirects followed per request. Browsers follow up to 20, curl 50; a forcing URL (a presigned or CDN
 * link) redirects once or twice, so more than 5 is a loop or a probe.
 */
export const MAX_REDIRECTS = 5;

const ENV_URI_KEYS = ['FORCING_WIND_URI', 'FORCING_CURRENT_URI', 'FORCING_LAND_URI'] as const;

/** Thrown for a URI or redirect the policy refuses: permanent, names the field and the rule only. */
export function deniedError(field: string, rule: string): DriftlineError {
  return new DriftlineError('E_FORCING_DENIED', `${field}: refused by the forcing source policy: ${rule}`, { field });
}

export function isRemoteUri(uri: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !/^file:\/\//i.test(uri);
}

export function isFileUri(uri: string): boolean {
  return /^file:\/\//i.test(uri);
}

/**
 * A URI as it may appear in logs, error messages, the mission row and product metadata: no password and
 * no query string (presigned URLs carry their signature and credential there).
 */
export function redactForcingUri(uri: string): string {
  return redactUrl(uri, { dropQuery: true });
}

// ---------------------------------------------------------------------------------------------------
// Parsing

/** C0 controls and DEL: no server agrees on what they mean in a path. */
function hasControlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Segments of a raw path, each percent-decoded; a string (the reason) when the path tries a trick. */
function pathSegments(rawPath: string): string[] | string {
  if (hasControlChar(rawPath) || rawPath.includes('\\')) return 'control characters or backslashes in the path';
  const raw = rawPath.split('/');
  if (raw[0] === '') raw.shift();
  const out: string[] = [];
  for (const seg of raw) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      return 'malformed percent-encoding in the path';
    }
    if (decoded === '.' || decoded === '..') return "'.' or '..' path segments";
    // An encoded '/', '\' or '.'-segment would be one segment to us and two (or a parent) to a server.
    if (/[/\\]/.test(decoded) || hasControlChar(decoded)) return 'percent-encoded slashes, backslashes or control characters in the path';
    out.push(decoded);
  }
  return out;
}

/**
 * s3://bucket/key or http(s)://host[:port]/path into parts; a string (the reason) when the URI is not
 * one the policy can vouch for.
 */
export function parseRemote(uri: string): RemoteParts | string {
  // s3://bucket/key as parseS3Uri reads it: the bucket runs to the first '/', and the key is every
  // byte after it ('?' and '#' included: S3 keys are literal). http(s): the WHATWG authority and path.
  const s3 = /^s3:\/\//i.test(uri);
  const m = (s3 ? /^([a-z0-9]+):\/\/([^/]*)(.*)$/is : /^([a-z][a-z0-9+.-]*):\/\/([^/?#\\]*)([^?#]*)/i).exec(uri);
  if (!m) return 'not an s3://, https:// or http:// URI';
  const scheme = (m[1] ?? '').toLowerCase();
  const authority = m[2] ?? '';
  const rawPath = m[3] ?? '';
  if (scheme !== 's3' && scheme !== 'https' && scheme !== 'http') return `the ${scheme}:// scheme is not supported (s3, https, or http when allowed)`;
  if (authority.includes('@')) return 'user:password@ in the URI';
  const segments = pathSegments(rawPath);
  if (typeof segments === 'string') return segments;
  if (scheme === 's3') {
    // S3 bucket naming rules: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit.
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(authority)) return 'not a valid S3 bucket name';
    return { scheme, host: authority, port: '', segments };
  }
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return 'not a valid URL';
  }
  if (u.username !== '' || u.password !== '') return 'user:password@ in the URI';
  const host = u.hostname.toLowerCase().replace(/\.$/, '');
  if (host === '') return 'no host';
  return { scheme, host, port: u.port, segments };
}

/** One FORCING_ALLOW entry (or a derived one); throws E_CONFIG naming `origin` when it is unusable. */
export function parseAllowEntry(text: string, origin: string): AllowEntry {
  const t = text.trim();
  if (/[?#]/.test(t)) throw new DriftlineError('E_CONFIG', `invalid environment: ${origin}: entry "${t}" has a query or fragment; give a prefix such as s3://bucket/prefix/ or https://host/path/`, { field: origin });
  const parts = parseRemote(t);
  if (typeof parts === 'string') {
    throw new DriftlineError('E_CONFIG', `invalid environment: ${origin}: entry "${t}": ${parts}; expected s3://bucket/prefix/, https://host/path/ or http://host:port/path/`, { field: origin });
  }
  // A trailing slash only marks a directory; matching is on whole segments either way.
  const segments = parts.segments.at(-1) === '' ? parts.segments.slice(0, -1) : parts.segments;
  return { ...parts, segments, origin };
}

/** Comma list of FORCING_ALLOW entries; errors name the variable. */
export function parseAllowList(text: string, origin = 'FORCING_ALLOW'): AllowEntry[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => parseAllowEntry(s, origin));
}

/** The directory prefix of an operator's remote forcing URI (query dropped), or null when it does not parse. */
function directoryEntry(uri: string, origin: string): AllowEntry | null {
  const parts = parseRemote(uri);
  if (typeof parts === 'string') return null;
  return { ...parts, segments: parts.segments.slice(0, -1), origin };
}

// ---------------------------------------------------------------------------------------------------
// The policy value

/**
 * The settings the policy is built from (a loaded Config has them all). Spelled out here rather than
 * imported, because config.ts imports this module to validate FORCING_ALLOW.
 */
export interface PolicyConfig {
  FORCING_ALLOW?: string | undefined;
  FORCING_BUCKET: string;
  FORCING_ALLOW_LOCAL?: string | undefined;
  FORCING_ALLOW_PRIVATE_NETWORKS: boolean;
  FORCING_MAX_MB: number;
  FORCING_FETCH_TIMEOUT_SECONDS: number;
  S3_BUCKET: string;
  FORCING_WIND_URI?: string | undefined;
  FORCING_CURRENT_URI?: string | undefined;
  FORCING_LAND_URI?: string | undefined;
}

export interface PolicyOverrides {
  /** `driftline run`: any local file (the user's own machine and rights). */
  localAnywhere?: boolean;
}

/** Built once per config (FORCING_ALLOW is validated at load, so this does not throw for a loaded config). */
export function forcingPolicyFromConfig(config: PolicyConfig, overrides: PolicyOverrides = {}): ForcingPolicy {
  const allow: AllowEntry[] = config.FORCING_ALLOW
    ? parseAllowList(config.FORCING_ALLOW)
    : [{ scheme: 's3', host: config.FORCING_BUCKET, port: '', segments: [], origin: 'FORCING_BUCKET' }];
  const files: string[] = [];
  for (const key of ENV_URI_KEYS) {
    const value = config[key];
    if (!value) continue;
    // FORCING_WIND_URI / FORCING_CURRENT_URI may be comma lists (load.ts splits them the same way).
    for (const uri of value.split(',').map((s) => s.trim()).filter(Boolean)) {
      if (isRemoteUri(uri)) {
        const entry = directoryEntry(uri, key);
        if (entry) allow.push(entry);
      } else {
        try {
          files.push(path.resolve(isFileUri(uri) ? fileURLToPath(uri) : uri));
        } catch {
          // not a usable file:// URI: loading it fails with its own error
        }
      }
    }
  }
  const dirs = (config.FORCING_ALLOW_LOCAL ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((d) => path.resolve(d));
  const mode = overrides.localAnywhere ? 'anywhere' : dirs.length > 0 || files.length > 0 ? 'dirs' : 'none';
  return {
    allow,
    local: { mode, dirs, files },
    resultsBucket: config.S3_BUCKET,
    allowPrivateNetworks: config.FORCING_ALLOW_PRIVATE_NETWORKS,
    maxBytes: config.FORCING_MAX_MB * 1024 * 1024,
    fetchTimeoutMs: config.FORCING_FETCH_TIMEOUT_SECONDS * 1000,
  };
}

const cache = new WeakMap<PolicyConfig, ForcingPolicy>();

/** The queued-job policy of a config, resolved once per config object. */
export function forcingPolicyFor(config: PolicyConfig): ForcingPolicy {
  let p = cache.get(config);
  if (!p) {
    p = forcingPolicyFromConfig(config);
    cache.set(config, p);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------------
// Checks

function covers(entry: AllowEntry, uri: RemoteParts): boolean {
  if (entry.scheme !== uri.scheme || entry.host !== uri.host || entry.port !== uri.port) return false;
  if (entry.segments.length > uri.segments.length) return false;
  return entry.segments.every((s, i) => s === uri.segments[i]);
}

/**
 * Why a remote URI (the job's, or a redirect's target) is refused, or null when the allowlist admits
 * it. Addresses are checked separately, after DNS resolution (blockedAddress).
 */
export function remoteRefusal(uri: string, policy: ForcingPolicy): string | null {
  const parts = parseRemote(uri);
  if (typeof parts === 'string') return parts;
  const entries = policy.allow.filter((e) => covers(e, parts));
  if (entries.length === 0) {
    if (parts.scheme === 'http' && policy.allow.some((e) => e.scheme === 'https' && e.host === parts.host)) {
      return 'plain http:// is allowed only where a FORCING_ALLOW entry says http://';
    }
    return parts.scheme === 's3' ? 'the bucket/prefix is not in FORCING_ALLOW (default: FORCING_BUCKET)' : 'the host/path is not in FORCING_ALLOW';
  }
  if (parts.scheme === 's3' && parts.host === policy.resultsBucket && !entries.some((e) => e.origin !== 'FORCING_BUCKET')) {
    return 'the results bucket (S3_BUCKET) is readable only when FORCING_ALLOW lists it';
  }
  return null;
}

/** Whether a local path is refused before touching the file system (the rest is fetch.ts's realpath check). */
export function localRefusal(policy: ForcingPolicy): string | null {
  if (policy.local.mode === 'none') return 'local paths and file:// are not allowed for queued jobs (FORCING_ALLOW_LOCAL is unset)';
  return null;
}

/** Whether `real` (a realpath) lies inside `dir` (a realpath) on a segment boundary. */
export function isInside(real: string, dir: string): boolean {
  const rel = path.relative(dir, real);
  return rel === '' ? false : !rel.startsWith('..') && !path.isAbsolute(rel);
}

// ---------------------------------------------------------------------------------------------------
// Addresses

function parseV4(s: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const b = m.slice(1).map(Number);
  return b.every((x) => x <= 255) ? b : null;
}

/** An IPv6 address as 16 bytes (with an embedded dotted quad allowed at the end), or null. */
export function parseV6(s: string): number[] | null {
  let text = s.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  let tail: number[] = [];
  const dotted = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  const quad = dotted?.[1];
  if (dotted && quad !== undefined) {
    const v4 = parseV4(quad);
    if (!v4) return null;
    tail = v4;
    text = `${text.slice(0, dotted.index)}:0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const group = (h: string | undefined) => (h === undefined || h === '' ? [] : h.split(':'));
  const head = group(halves[0]);
  const rest = group(halves[1]);
  const fill = 8 - head.length - rest.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...rest];
  const bytes: number[] = [];
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    const v = parseInt(g, 16);
    bytes.push(v >> 8, v & 0xff);
  }
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes.length === 16 ? bytes : null;
}

type Cidr = [bytes: number[], bits: number, what: string];

const cidr = (ip: string, bits: number, what: string): Cidr => {
  const bytes = parseV4(ip) ?? parseV6(ip);
  if (bytes === null) throw new Error(`blocked-address table: ${ip} is not an IP address`); // a typo in the tables below
  return [bytes, bits, what];
};

/** Addresses a job must not make a worker connect to (RFC 6890 special-purpose registries, IANA). */
const BLOCKED_V4: Cidr[] = [
  cidr('0.0.0.0', 8, 'this network'),
  cidr('10.0.0.0', 8, 'private (RFC 1918)'),
  cidr('100.64.0.0', 10, 'shared address space (CGNAT)'),
  cidr('127.0.0.0', 8, 'loopback'),
  cidr('169.254.0.0', 16, 'link-local (cloud metadata)'),
  cidr('172.16.0.0', 12, 'private (RFC 1918)'),
  cidr('192.0.0.0', 24, 'IETF protocol assignments'),
  cidr('192.0.2.0', 24, 'documentation'),
  cidr('192.88.99.0', 24, '6to4 relay anycast'),
  cidr('192.168.0.0', 16, 'private (RFC 1918)'),
  cidr('198.18.0.0', 15, 'benchmarking'),
  cidr('198.51.100.0', 24, 'documentation'),
  cidr('203.0.113.0', 24, 'documentation'),
  cidr('224.0.0.0', 4, 'multicast'),
  cidr('240.0.0.0', 4, 'reserved / broadcast'),
];

const BLOCKED_V6: Cidr[] = [
  cidr('::', 128, 'unspecified'),
  cidr('::1', 128, 'loopback'),
  cidr('64:ff9b:1::', 48, 'local-use NAT64'),
  cidr('100::', 64, 'discard'),
  cidr('2001::', 23, 'IETF protocol assignments (Teredo, …)'),
  cidr('2001:db8::', 32, 'documentation'),
  cidr('fc00::', 7, 'unique local (private)'),
  cidr('fe80::', 10, 'link-local'),
  cidr('fec0::', 10, 'site-local'),
  cidr('ff00::', 8, 'multicast'),
];

function inCidr(bytes: number[], [net, bits]: Cidr): boolean {
  for (let i = 0; i < bits; i += 8) {
    const take = Math.min(8, bits - i);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i / 8] ?? 0) & mask) !== ((net[i / 8] ?? 0) & mask)) return false;
  }
  return true;
}

const startsWith = (b: number[], prefix: number[]) => prefix.every((x, i) => b[i] === x);

/**
 * Why a worker must not connect to this IP address (for logs, not for errors), or null when it is a
 * public unicast address. IPv6 forms that carry an IPv4 address (mapped ::ffff:a.b.c.d, IPv4-compatible
 * ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by that IPv4 address.
 */
export function blockedAddress(ip: string): string | null {
  const v4 = parseV4(ip);
  if (v4) return BLOCKED_V4.find((c) => inCidr(v4, c))?.[2] ?? null;
  const v6 = parseV6(ip);
  if (!v6) return 'not an IP address';
  const exact = BLOCKED_V6.find((c) => c[1] === 128 && inCidr(v6, c));
  if (exact) return exact[2];
  const zero10 = Array<number>(10).fill(0);
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (the deprecated IPv4-compatible form).
  if (startsWith(v6, [...zero10, 0xff, 0xff]) || startsWith(v6, [...zero10, 0, 0])) {
    const inner = blockedAddress(v6.slice(12).join('.'));
    return inner ? `IPv4-mapped ${inner}` : null;
  }
  if (startsWith(v6, [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) {
    const inner = blockedAddress(v6.slice(12).join('.'));
    return inner ? `NAT64 ${inner}` : null;
  }
  if (startsWith(v6, [0x20, 0x02])) {
    const inner = blockedAddress(v6.slice(2, 6).join('.'));
    return inner ? `6to4 ${inner}` : null;
  }
  return BLOCKED_V6.find((c) => inCidr(v6, c))?.[2] ?? null;
}
