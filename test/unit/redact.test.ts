/** src/redact.ts: the one place credentials are taken out of URLs (logs, errors, products). */
import { describe, expect, it } from 'vitest';
import { redactSecrets, redactUrl, redactUrlsInText } from '../../src/redact.js';

const PRESIGNED = 'https://bucket.s3.amazonaws.com/wind.nc?X-Amz-Credential=AKIAEXAMPLE%2F20240101&X-Amz-Signature=abc123&x-id=GetObject';

describe('redactUrl', () => {
  it('masks a password and keeps the user, host and path', () => {
    expect(redactUrl('redis://default:hunter2@cache:6379/0')).toBe('redis://default:***@cache:6379/0');
  });

  it('masks secret-looking query parameters and keeps the others', () => {
    const out = redactUrl(PRESIGNED);
    expect(out).not.toContain('AKIAEXAMPLE');
    expect(out).not.toContain('abc123');
    expect(out).toContain('x-id=GetObject');
  });

  it('drops the whole query when asked, also from text that is not a parseable URL', () => {
    expect(redactUrl(PRESIGNED, { dropQuery: true })).toBe('https://bucket.s3.amazonaws.com/wind.nc?<query redacted>');
    expect(redactUrl('s3://[bad?sig=1', { dropQuery: true })).toBe('s3://[bad?<query redacted>');
  });

  it('returns text without a scheme, and URLs without secrets, unchanged', () => {
    expect(redactUrl('/data/wind.nc')).toBe('/data/wind.nc');
    expect(redactUrl('s3://forcing/wind.nc')).toBe('s3://forcing/wind.nc');
  });
});

describe('redactUrlsInText and redactSecrets', () => {
  it('redacts every URL inside free text and nested plain data', () => {
    const text = `wind from ${PRESIGNED}, current from postgresql://app:pw@db/x`;
    const red = redactUrlsInText(text);
    expect(red).not.toMatch(/abc123|AKIAEXAMPLE|:pw@/);
    expect(red).toMatch(/^wind from https:\/\/bucket/);
    const data = redactSecrets({ sources: [{ uri: PRESIGNED }], n: 3, ok: true });
    expect(JSON.stringify(data)).not.toContain('abc123');
    expect(data.n).toBe(3);
  });
});
