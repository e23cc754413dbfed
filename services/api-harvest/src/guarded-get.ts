import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Transform, type Readable } from 'node:stream';
import { AddressRefused, guardedLookup, outboundUrlProblem } from '@taskyard/address-guard';
import { MAX_HARVEST_RESPONSE_BYTES } from '@taskyard/contracts';
import { PermanentJobError, RetriableJobError } from '@taskyard/worker';
import type { HarvestConfig } from './harvest-config';

export const HARVEST_ERROR = {
  badUrl: 'bad-url',
  hostNotAllowed: 'host-not-allowed',
  addressRefused: 'address-refused',
  redirect: 'redirect-refused',
  refused: 'api-refused',
  unavailable: 'api-unavailable',
  unreachable: 'api-unreachable',
  tooLarge: 'response-too-large',
  badListing: 'bad-listing',
} as const;

/** Fails the stream once more than `limit` bytes went through. */
function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) return done(new PermanentJobError(HARVEST_ERROR.tooLarge, `the answer is larger than ${limit} bytes`));
      done(null, chunk);
    },
  });
}

export interface HarvestResponse {
  body: Readable;
  contentType: string;
}

const failureOf = (status: number, origin: string): Error =>
  status >= 300 && status < 400
    ? new PermanentJobError(HARVEST_ERROR.redirect, `${origin} answered ${status}: redirects are not followed`)
    : status >= 500 || status === 408 || status === 429
      ? new RetriableJobError(HARVEST_ERROR.unavailable, `${origin} answered ${status}`)
      : new PermanentJobError(HARVEST_ERROR.refused, `${origin} answered ${status}`);

/**
 * One GET of an allowed URL: no redirect followed, no private address reached unless the host is allowed
 * to be private (checked after resolving, at connect), the body limited in size. A failure another attempt
 * may cure (no answer, 5xx, 408, 429) is retriable; the rest are not.
 */
export function guardedGet(text: string, config: HarvestConfig, signal: AbortSignal): Promise<HarvestResponse> {
  const problem = outboundUrlProblem(text, config);
  if (problem) return Promise.reject(new PermanentJobError(problem.code, problem.message));
  const url = new URL(text);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method: 'GET',
        headers: { accept: 'application/json, text/csv;q=0.9, */*;q=0.5', 'user-agent': 'taskyard-api-harvest' },
        lookup: guardedLookup(config.privateHosts.hosts),
        agent: false,
        signal,
      },
      (res: IncomingMessage) => {
        clearTimeout(deadline);
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          res.resume();
          return reject(failureOf(status, url.origin));
        }
        const body = res.pipe(byteLimit(MAX_HARVEST_RESPONSE_BYTES));
        res.on('error', (err) => body.destroy(err));
        resolve({ body, contentType: String(res.headers['content-type'] ?? 'application/octet-stream') });
      },
    );
    const deadline = setTimeout(() => req.destroy(new RetriableJobError(HARVEST_ERROR.unreachable, `${url.origin} gave no answer within ${config.requestTimeoutMs} ms`)), config.requestTimeoutMs);
    req.on('error', (err) => {
      clearTimeout(deadline);
      if (err instanceof AddressRefused) return reject(new PermanentJobError(HARVEST_ERROR.addressRefused, err.message));
      if (err instanceof PermanentJobError || err instanceof RetriableJobError || signal.aborted) return reject(err);
      reject(new RetriableJobError(HARVEST_ERROR.unreachable, `${url.origin}: ${err.message}`));
    });
    req.end();
  });
}

/** A whole (small) answer as text, e.g. a listing of pages. */
export async function readAll(body: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new PermanentJobError(HARVEST_ERROR.tooLarge, `the answer is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
