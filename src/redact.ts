/**
 * Credentials out of URLs, in one place: service URLs in logs and `doctor` (redis://user:pass@...),
 * forcing URIs in errors (presigned query strings), and every string that goes into a product.
 * A URL's password becomes `***`; query parameters whose names look secret (X-Amz-Signature,
 * X-Amz-Credential, token, key, ...) become `***`; `dropQuery` removes the whole query instead, for
 * messages that need no query at all. Text that is not a URL is returned as it is.
 */

const SECRET_QUERY_RE = /sig|token|credential|secret|password|key/i;
const SCHEME_RE = /^[a-z][a-z0-9+.-]*:\/\//i;
/** URLs inside free text (descriptions may list several, comma-separated). */
const URL_IN_TEXT_RE = /[a-z][a-z0-9+.-]*:\/\/[^\s,;"'<>]+/gi;
const QUERY_REDACTED = '?<query redacted>';

export function redactUrl(url: string, opts: { dropQuery?: boolean } = {}): string {
  if (!SCHEME_RE.test(url)) return url;
  try {
    const u = new URL(url);
    let changed = false;
    if (u.password) {
      u.password = '***';
      changed = true;
    }
    if (opts.dropQuery && u.search !== '') {
      u.search = '';
      return `${u.toString()}${QUERY_REDACTED}`;
    }
    for (const name of [...u.searchParams.keys()]) {
      if (SECRET_QUERY_RE.test(name)) {
        u.searchParams.set(name, '***');
        changed = true;
      }
    }
    return changed ? u.toString() : url;
  } catch {
    // Not parseable as a URL: still never echo a query string that might be a signature.
    return opts.dropQuery ? url.replace(/\?.*$/, QUERY_REDACTED) : url;
  }
}

/** Free text with every URL in it redacted (redactUrl). */
export function redactUrlsInText(text: string): string {
  return text.includes('://') ? text.replace(URL_IN_TEXT_RE, (u) => redactUrl(u)) : text;
}

/** Deep copy of plain data with every string passed through redactUrlsInText. */
export function redactSecrets<T>(value: T): T {
  if (typeof value === 'string') return redactUrlsInText(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v)])) as T;
  }
  return value;
}
