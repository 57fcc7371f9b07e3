import { createHash } from 'node:crypto';
import { BackoffSignal, FailSignal } from '../engine/signals.js';
import type { AsyncUrlResult, AsyncUrlsOptions } from '../solution/context.js';
import type { JobRecord } from '../storage/store.js';
import { parseRetryAfter } from '../xurrent/retry-after.js';
import type { ActionDeps } from './deps.js';

const ACTION = 'asyncUrls';
const DEFAULT_BACKOFF_SECONDS = 60;
const DEFAULT_MAX_ITERATIONS = 1000;
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Query parameters of pre-signed links (S3, Google Cloud Storage, Azure, CloudFront and the like).
const SIGNED_QUERY_PARAMETER = /signature|^sig$|token|credential|^x-amz-|^x-goog-|^se$|^sp$|^sv$|expires|key-pair-id|^policy$/i;

/** The journal record of one asyncUrls call: polls so far and the documents found, in ready order. */
interface Progress {
  polls: number;
  ready: AsyncUrlResult[];
}

/**
 * `ctx.asyncUrls`: polls result URLs such as the `asyncQuery.resultUrl` of Xurrent's async
 * mutations. A run polls once: it GETs every URL that is not ready yet, in the given order, and
 * backs off while any is left. Found documents and the number of polls are saved, sealed, in the
 * job's journal, so the next run yields those documents first and polls only the rest.
 */
export async function* pollAsyncUrls(
  deps: ActionDeps,
  job: JobRecord,
  urls: readonly string[],
  options: AsyncUrlsOptions = {},
): AsyncGenerator<AsyncUrlResult, void, undefined> {
  const { backoff, maxIterations } = checkOptions(urls, options);
  if (urls.length === 0) return;

  const journalName = `@${ACTION}:${createHash('sha256').update(JSON.stringify(urls)).digest('hex').slice(0, 16)}`;
  const progress = readProgress(await deps.journal.load(journalName), urls);
  for (const result of progress.ready) yield { url: result.url, body: result.body };

  const ready = new Set(progress.ready.map((result) => result.url));
  const pending = urls.filter((url) => !ready.has(url));
  if (pending.length === 0) return;
  if (progress.polls >= maxIterations) {
    throw new FailSignal(
      `${ACTION}: ${pending.length} of ${urls.length} results still not ready after ${progress.polls} polls ` +
        `(maxIterations ${maxIterations}): ${pending.map(describeUrl).join(', ')}`,
    );
  }
  progress.polls++;
  await deps.journal.save(journalName, progress);

  const stillPending: string[] = [];
  for (const url of pending) {
    const body = await fetchResult(deps, url);
    if (body === undefined) {
      stillPending.push(url);
      continue;
    }
    const result = { url, body };
    progress.ready.push(result);
    // Saved before it is yielded, so a crash while the handler processes it yields it again (at least once).
    await deps.journal.save(journalName, progress);
    yield result;
  }
  if (stillPending.length > 0) {
    throw new BackoffSignal(
      `${ACTION}: waiting for ${stillPending.length} of ${urls.length} results: ${stillPending.map(describeUrl).join(', ')}`,
      backoff,
    );
  }
}

/**
 * GETs one result URL: the parsed document when ready, undefined while the body is empty or `{}`.
 * The provider's token goes only to the origins of its Xurrent endpoints; other hosts (storage
 * with pre-signed links) get a plain GET. Redirects are followed here, not by fetch, so that
 * each hop decides again whether it gets the token.
 */
async function fetchResult(deps: ActionDeps, url: string): Promise<unknown> {
  let location = url;
  let response: Response | undefined;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    response = await getOnce(deps, url, location);
    const next = REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null;
    if (next === null) break;
    await response.body?.cancel();
    location = new URL(next, location).toString();
    response = undefined;
  }
  if (!response) throw new FailSignal(`${ACTION}: GET ${describeUrl(url)} was redirected more than ${MAX_REDIRECTS} times`);

  if (response.status === 429 || response.status === 503) {
    await response.body?.cancel();
    const seconds = parseRetryAfter(response.headers.get('retry-after'), deps.now().getTime());
    const reason = response.status === 429 ? 'rate limited' : 'unavailable';
    throw new BackoffSignal(`${ACTION}: GET ${describeUrl(url)} returned HTTP ${response.status} (${reason}; retry after ${seconds} s)`, seconds);
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new FailSignal(`${ACTION}: GET ${describeUrl(url)} failed with HTTP ${response.status}; the link may have expired`);
  }

  const text = (await response.text()).trim();
  if (text === '') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    throw new FailSignal(`${ACTION}: the result at ${describeUrl(url)} is not valid JSON`);
  }
  const empty = typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0;
  return empty ? undefined : body;
}

/** Sends one GET to `location` (the URL or a redirect target), with the provider's token on Xurrent origins and one retry after a 401. */
async function getOnce(deps: ActionDeps, url: string, location: string): Promise<Response> {
  const credentials = deps.connection?.isXurrentOrigin(location) ? deps.connection : undefined;
  let retriedAfter401 = false;
  for (;;) {
    const headers: Record<string, string> = { Accept: 'application/json' };
    let token: string | undefined;
    if (credentials) {
      token = await credentials.providerTokenSource().getToken();
      headers.Authorization = `Bearer ${token}`;
      headers['X-Xurrent-Account'] = credentials.settings.providerAccount;
    }
    let response: Response;
    try {
      response = await fetch(location, { headers, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      // A network failure is retried with the runbook's retry policy.
      throw new Error(`${ACTION}: GET ${describeUrl(url)} failed: ${describeFetchError(error)}`, { cause: error });
    }
    if (response.status !== 401 || !credentials || retriedAfter401) return response;
    retriedAfter401 = true;
    credentials.providerTokenSource().invalidate(token);
    await response.body?.cancel();
  }
}

/** Returns the URL for messages and logs, without its query string when that looks like a signature. */
export function describeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const signed = [...parsed.searchParams.keys()].some((name) => SIGNED_QUERY_PARAMETER.test(name));
  return signed ? `${parsed.origin}${parsed.pathname}` : `${parsed.origin}${parsed.pathname}${parsed.search}`;
}

function checkOptions(urls: readonly string[], options: AsyncUrlsOptions): { backoff: number; maxIterations: number } {
  if (!Array.isArray(urls)) throw new FailSignal(`${ACTION}: pass an array of URLs`);
  const seen = new Set<string>();
  for (const url of urls) {
    let parsed: URL | undefined;
    try {
      parsed = typeof url === 'string' ? new URL(url) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
      throw new FailSignal(`${ACTION}: ${JSON.stringify(describeUrl(String(url)))} is not an http(s) URL`);
    }
    if (seen.has(url)) throw new FailSignal(`${ACTION}: ${describeUrl(url)} is in the list twice; pass each URL once`);
    seen.add(url);
  }

  const backoff = options.backoff ?? DEFAULT_BACKOFF_SECONDS;
  if (typeof backoff !== 'number' || !Number.isFinite(backoff) || backoff < 0) {
    throw new FailSignal(`${ACTION}: backoff ${String(backoff)} is invalid; use a number of seconds of 0 or more`);
  }
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw new FailSignal(`${ACTION}: maxIterations ${String(maxIterations)} is invalid; use a whole number of 1 or more`);
  }
  return { backoff, maxIterations };
}

/** Returns the saved progress, or a fresh one when none is saved or it names URLs outside the list. */
function readProgress(saved: unknown, urls: readonly string[]): Progress {
  const candidate = saved as Partial<Progress> | undefined;
  if (
    !candidate ||
    typeof candidate.polls !== 'number' ||
    !Array.isArray(candidate.ready) ||
    !candidate.ready.every((result) => typeof result?.url === 'string' && urls.includes(result.url))
  ) {
    return { polls: 0, ready: [] };
  }
  return { polls: candidate.polls, ready: candidate.ready };
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `timed out after ${REQUEST_TIMEOUT_MS} ms`;
  const cause = error.cause;
  return cause instanceof Error && cause.message !== '' ? `${error.message}: ${cause.message}` : error.message;
}
