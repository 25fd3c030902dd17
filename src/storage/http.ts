/**
 * HEAD and GET of forcing over http(s) under the forcing source policy (policy.ts):
 *  - every URL, the job's and each redirect's target, is checked against the whole policy; redirects
 *    are followed here, at most MAX_REDIRECTS;
 *  - the host is resolved by our own `lookup`, which refuses the connection when any address is
 *    loopback, private, link-local, … and hands the checked addresses to the socket, so there is no
 *    window between the check and the connect for a DNS rebinding; IP literals are checked up front
 *    (node connects to them without a lookup);
 *  - one connection per request (agent: false), never a pooled socket opened for another host.
 * The caller owns the time cap (the signal) and the size cap (fetch.ts counts the body).
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { Logger } from '../logger.js';
import { VERSION } from '../version.js';
import { blockedAddress, deniedError, MAX_REDIRECTS, redactForcingUri as redactUri, remoteRefusal, type ForcingPolicy } from './policy.js';

export interface PolicedRequest {
  policy: ForcingPolicy;
  /** Names the job field in refusals, e.g. `params.forcing.wind.uri[2]`. */
  field: string;
  signal: AbortSignal;
  logger: Logger;
}

export interface PolicedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
}

const NON_PUBLIC = 'the host resolves to a loopback, private, link-local or other non-public address (FORCING_ALLOW_PRIVATE_NETWORKS=false)';

/** Raised inside `lookup`; recognised on the request's error event (the socket passes it through). */
class BlockedAddress extends Error {
  constructor(readonly why: string) {
    super('blocked address');
  }
}

function guardedLookup(policy: ForcingPolicy): LookupFunction | undefined {
  if (policy.allowPrivateNetworks) return undefined;
  return (hostname, options, callback) => {
    dns.lookup(hostname, { all: true, ...(options.family ? { family: options.family } : {}), ...(options.hints ? { hints: options.hints } : {}) }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      // Any non-public answer refuses the host: filtering it out would still let a name that mixes
      // public and internal records steer some connections inside.
      const bad = addresses.map((a) => blockedAddress(a.address)).find((why) => why !== null);
      if (bad) return callback(new BlockedAddress(bad), '', 0);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), '', 0);
      // Node ≥ 20 asks for all addresses (autoSelectFamily); older call sites want one.
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

function requestOnce(url: URL, method: 'HEAD' | 'GET', req: PolicedRequest, where: string): Promise<http.IncomingMessage> {
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) && !req.policy.allowPrivateNetworks) {
    const why = blockedAddress(literal);
    if (why) {
      req.logger.warn({ field: req.field, uri: redactUri(url.href), why }, 'forcing URL refused: non-public address');
      return Promise.reject(deniedError(req.field, where + NON_PUBLIC));
    }
  }
  const lib = url.protocol === 'https:' ? https : http;
  const lookup = guardedLookup(req.policy);
  return new Promise((resolve, reject) => {
    const r = lib.request(
      url,
      {
        method,
        agent: false,
        signal: req.signal,
        ...(lookup ? { lookup } : {}),
        // identity: Content-Length is then the byte count the size cap compares.
        headers: { 'user-agent': `driftline/${VERSION}`, 'accept-encoding': 'identity' },
      },
      resolve,
    );
    r.on('error', (err) => {
      if (err instanceof BlockedAddress) {
        req.logger.warn({ field: req.field, uri: redactUri(url.href), why: err.why }, 'forcing URL refused: non-public address');
        reject(deniedError(req.field, where + NON_PUBLIC));
      } else reject(err);
    });
    r.end();
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The response to HEAD or GET `uri` after redirects, every hop checked against the policy. Throws
 * E_FORCING_DENIED for a refused hop; network errors pass through for the caller to classify.
 */
export async function policedRequest(uri: string, method: 'HEAD' | 'GET', req: PolicedRequest): Promise<PolicedResponse> {
  let url = uri;
  for (let hop = 0; ; hop++) {
    const where = hop === 0 ? '' : `redirect ${hop}: `;
    const refusal = remoteRefusal(url, req.policy);
    if (refusal) throw deniedError(req.field, where + refusal);
    const res = await requestOnce(new URL(url), method, req, where);
    const location = res.headers.location;
    if (!REDIRECTS.has(res.statusCode ?? 0) || location === undefined) {
      return { status: res.statusCode ?? 0, headers: res.headers, body: res };
    }
    res.resume(); // a redirect's body is discarded unread
    if (hop >= MAX_REDIRECTS) throw deniedError(req.field, `more than ${MAX_REDIRECTS} redirects`);
    try {
      url = new URL(location, url).href;
    } catch {
      throw deniedError(req.field, `${where}a redirect to something that is not a URL`);
    }
  }
}
