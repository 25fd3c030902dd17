/**
 * The forcing source policy's pure rules (src/storage/policy.ts): allowlist parsing and matching on
 * parsed URI parts, the results-bucket rule, the operator's own URIs, non-public addresses, and the
 * job schema's cap on forcing URIs. The same rules against real servers: test/integration/forcing-policy.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { blockedAddress, forcingPolicyFromConfig, parseAllowEntry, parseV6, remoteRefusal } from '../../src/storage/policy.js';
import { MAX_FORCING_URIS } from '../../src/job/schema.js';
import { validateJob } from '../../src/job/validate.js';

const policy = (env: Record<string, string> = {}) => forcingPolicyFromConfig(loadConfig(env));

describe('allowlist matching', () => {
  it('default: the forcing bucket only, not another bucket, not the results bucket', () => {
    const p = policy();
    expect(remoteRefusal('s3://driftline-forcing/era5/wind.nc', p)).toBeNull();
    expect(remoteRefusal('s3://other-bucket/wind.nc', p)).toMatch(/not in FORCING_ALLOW/);
    expect(remoteRefusal('s3://driftline-results/missions/m1/products/density.nc', p)).toMatch(/not in FORCING_ALLOW/);
    expect(remoteRefusal('https://data.example.org/wind.nc', p)).toMatch(/not in FORCING_ALLOW/);
  });

  it('the results bucket stays refused when FORCING_BUCKET names it, until FORCING_ALLOW lists it', () => {
    expect(remoteRefusal('s3://shared/m1/products/density.nc', policy({ FORCING_BUCKET: 'shared', S3_BUCKET: 'shared' }))).toMatch(/results bucket \(S3_BUCKET\)/);
    expect(remoteRefusal('s3://shared/forcing/wind.nc', policy({ FORCING_ALLOW: 's3://shared/forcing/', S3_BUCKET: 'shared' }))).toBeNull();
  });

  it('prefixes match whole path segments, with tricks refused', () => {
    const p = policy({ FORCING_ALLOW: 's3://b-1/pre/, https://data.example.org/path/' });
    expect(remoteRefusal('s3://b-1/pre/x/wind.nc', p)).toBeNull();
    expect(remoteRefusal('s3://b-1/prefix/wind.nc', p)).not.toBeNull();
    expect(remoteRefusal('s3://b-1/pre/../secret.nc', p)).toMatch(/'\.' or '\.\.'/);
    expect(remoteRefusal('s3://b-1/pre/%2e%2e/secret.nc', p)).toMatch(/'\.' or '\.\.'/);
    expect(remoteRefusal('s3://b-1/pre%2f..%2fsecret.nc', p)).toMatch(/percent-encoded/);
    expect(remoteRefusal('https://data.example.org/path/wind.nc?X-Amz-Signature=x', p)).toBeNull();
    expect(remoteRefusal('https://DATA.Example.org./path/wind.nc', p)).toBeNull();
    expect(remoteRefusal('https://data.example.org/pathology/wind.nc', p)).not.toBeNull();
    expect(remoteRefusal('https://data.example.org:8443/path/wind.nc', p)).not.toBeNull();
    expect(remoteRefusal('https://data.example.org.evil.test/path/wind.nc', p)).not.toBeNull();
    expect(remoteRefusal('https://data.example.org@evil.test/path/wind.nc', p)).toMatch(/user:password@/);
    expect(remoteRefusal('https://user:pw@data.example.org/path/wind.nc', p)).toMatch(/user:password@/);
    expect(remoteRefusal('https://evil.test#@data.example.org/path/wind.nc', p)).not.toBeNull();
    expect(remoteRefusal('https://data.example.org/path/..%2f..%2fetc/passwd', p)).toMatch(/percent-encoded/);
    expect(remoteRefusal('https://data.example.org/path/%2E%2E/x', p)).toMatch(/'\.' or '\.\.'/);
    expect(remoteRefusal('https://data.example.org/path\\..\\x', p)).toMatch(/backslash/);
    expect(remoteRefusal('s3://b-1/pre/a%00b.nc', p)).toMatch(/control characters/);
    expect(remoteRefusal('s3://b-1/pre/a\nb.nc', p)).toMatch(/control characters/);
    expect(remoteRefusal('http://data.example.org/path/wind.nc', p)).toMatch(/plain http/);
    expect(remoteRefusal('ftp://data.example.org/path/wind.nc', p)).toMatch(/ftp:\/\/ scheme/);
    expect(remoteRefusal('https://evil.test\\@data.example.org/path/wind.nc', p)).toMatch(/backslash/);
    // S3 keys are literal: '?' and '#' are part of the key, and what follows them is checked too.
    expect(remoteRefusal('S3://b-1/pre/x.nc?v=1', p)).toBeNull();
    expect(remoteRefusal('s3://b-1/pre/x#/../../secret.nc', p)).toMatch(/'\.' or '\.\.'/);
    expect(remoteRefusal('s3://b-1?x/pre/x.nc', p)).toMatch(/bucket name/);
  });

  it("the operator's own FORCING_*_URI directories are allowed, nothing beside them", () => {
    const p = policy({ FORCING_WIND_URI: 's3://ops-bucket/winds/era5.nc?versionId=3', FORCING_CURRENT_URI: 'https://ocean.example.org/cmems/a.nc,https://ocean.example.org/cmems/b.nc', FORCING_LAND_URI: '/srv/land/mask.nc' });
    expect(remoteRefusal('s3://ops-bucket/winds/other.nc', p)).toBeNull();
    expect(remoteRefusal('s3://ops-bucket/secrets/key.nc', p)).not.toBeNull();
    expect(remoteRefusal('https://ocean.example.org/cmems/c.nc', p)).toBeNull();
    expect(remoteRefusal('https://ocean.example.org/private/c.nc', p)).not.toBeNull();
    // The default bucket entry stays (FORCING_ALLOW unset); the local land file is the one local file.
    expect(remoteRefusal('s3://driftline-forcing/x.nc', p)).toBeNull();
    expect(p.local).toEqual({ mode: 'dirs', dirs: [], files: ['/srv/land/mask.nc'] });
  });

  it('a bad FORCING_ALLOW entry fails at start, naming the variable', () => {
    expect(() => loadConfig({ FORCING_ALLOW: 's3://ok-bucket/, /etc' })).toThrow(/FORCING_ALLOW: .*"\/etc"/);
    expect(() => loadConfig({ FORCING_ALLOW: 'https://host/path/?sig=1' })).toThrow(/FORCING_ALLOW/);
    expect(() => parseAllowEntry('s3://UPPER/x', 'FORCING_ALLOW')).toThrow(/bucket name/);
    expect(parseAllowEntry('https://h.example.org:8443/a/b/', 'FORCING_ALLOW')).toMatchObject({ scheme: 'https', host: 'h.example.org', port: '8443', segments: ['a', 'b'] });
  });

  it('local files: none by default, FORCING_ALLOW_LOCAL directories when set', () => {
    expect(policy().local.mode).toBe('none');
    expect(policy({ FORCING_ALLOW_LOCAL: '/data/forcing, /srv/extra' }).local).toEqual({ mode: 'dirs', dirs: ['/data/forcing', '/srv/extra'], files: [] });
    expect(forcingPolicyFromConfig(loadConfig({}), { localAnywhere: true }).local.mode).toBe('anywhere');
  });
});

describe('non-public addresses', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['0.0.0.0', 'this network'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'CGNAT'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fc00::1', 'unique local'],
    ['fd12:3456::1', 'unique local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped link-local'],
    ['::127.0.0.1', 'IPv4-mapped loopback'],
    ['64:ff9b::10.0.0.1', 'NAT64 private'],
    ['2002:7f00:1::', '6to4 loopback'],
  ])('%s is refused (%s)', (ip, what) => {
    expect(blockedAddress(ip)).toContain(what);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '::ffff:8.8.8.8', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e'])('%s is public', (ip) => {
    expect(blockedAddress(ip)).toBeNull();
  });

  it('parses IPv6 forms byte for byte', () => {
    expect(parseV6('::1')).toEqual([...Array<number>(15).fill(0), 1]);
    expect(parseV6('[fe80::1%eth0]')?.slice(0, 2)).toEqual([0xfe, 0x80]);
    expect(parseV6('1:2:3:4:5:6:7:8:9')).toBeNull();
    expect(parseV6('1::2::3')).toBeNull();
  });
});

describe('forcing URIs per job', () => {
  const base = { latitude: 60, longitude: 5, start_time: '2024-01-01T00:00:00Z' };
  const uris = (n: number) => Array.from({ length: n }, (_, i) => `s3://driftline-forcing/w${i}.nc`);

  it(`more than ${MAX_FORCING_URIS} in one list fails validation naming the field`, () => {
    expect(() => validateJob({ mission_id: 'm', params: { ...base, forcing: { wind: { uri: uris(MAX_FORCING_URIS + 1) } } } })).toThrow(
      expect.objectContaining({ code: 'E_JOB_INVALID', field: 'params.forcing.wind.uri' }),
    );
    expect(() => validateJob({ mission_id: 'm', params: { ...base, forcing: { wind: { uri: uris(MAX_FORCING_URIS) } } } })).not.toThrow();
  });

  it('the cap holds over wind, current and land together', () => {
    const n = Math.ceil(MAX_FORCING_URIS / 2);
    expect(() => validateJob({ mission_id: 'm', params: { ...base, forcing: { wind: { uri: uris(n) }, current: { uri: uris(n) }, land: { uri: 's3://driftline-forcing/land.nc' } } } })).toThrow(
      expect.objectContaining({ code: 'E_JOB_INVALID', field: 'params.forcing', message: expect.stringContaining(`got ${2 * n + 1}`) }),
    );
  });
});
