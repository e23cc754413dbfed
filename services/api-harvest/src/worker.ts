import {
  MAX_COLLECTED_RESULTS,
  MAX_HARVEST_PAGES,
  type ApiHarvestParams,
  type HarvestListing,
  type StageOutput,
} from '@taskyard/contracts';
import { defineWorker, PermanentJobError, type JobContext, type JobOutcome, type WorkerDefinition } from '@taskyard/worker';
import { CombinedWriter, recordsOf } from './combine-pages';
import { outboundUrlProblem } from '@taskyard/address-guard';
import { guardedGet, HARVEST_ERROR, readAll } from './guarded-get';
import type { HarvestConfig } from './harvest-config';
import { HarvestRules } from './harvest-rules';
import { downloadedKey, ensureHarvestIndexes, harvestModels, keepForCollection, readyKey, takeForDownload } from './harvest-results';

type Ctx = JobContext<ApiHarvestParams>;
/** The fan-in's reader of its fan-out's outputs (the workflow engine's worker context). */
type FanInCtx = Ctx & { stageResults?: () => AsyncIterable<StageOutput> };

const MAX_LISTING_BYTES = 5 * 1024 * 1024;
const DB_TIMEOUT_MS = 10_000;
const READ_AHEAD = 16;

const extensionOf = (contentType: string): string =>
  /json/i.test(contentType) ? 'json' : /csv/i.test(contentType) ? 'csv' : /^text\//i.test(contentType) ? 'txt' : 'bin';

function requireUrl(ctx: Ctx): string {
  const url = ctx.task.params.url;
  if (!url) throw new PermanentJobError(HARVEST_ERROR.badUrl, `mode ${ctx.task.params.mode ?? 'single'} needs a url`);
  return url;
}

/** single: one request, its answer kept as it came and kept for collection. */
async function single(ctx: Ctx, config: HarvestConfig): Promise<JobOutcome> {
  const url = requireUrl(ctx);
  const res = await guardedGet(url, config, ctx.signal);
  const file = await ctx.artifacts.write(`response.${extensionOf(res.contentType)}`, res.body, res.contentType);
  await keepForCollection(ctx.db, { _id: ctx.task.id, owner: ctx.task.owner, name: file.name, key: file.key, size: file.size, contentType: file.contentType });
  ctx.log(`${new URL(url).origin} answered ${file.size} bytes (${res.contentType})`);
  return { result: { bytes: file.size, contentType: res.contentType, file: file.name } };
}

/** list: the first call of a paginated API, which answers every page's link (an array, or `pages`/`links`). */
async function list(ctx: Ctx, config: HarvestConfig): Promise<JobOutcome> {
  const url = requireUrl(ctx);
  const res = await guardedGet(url, config, ctx.signal);
  let listing: unknown;
  try {
    listing = JSON.parse(await readAll(res.body, MAX_LISTING_BYTES));
  } catch (err) {
    if (err instanceof PermanentJobError) throw err;
    throw new PermanentJobError(HARVEST_ERROR.badListing, 'the listing of pages is not JSON');
  }
  const links = Array.isArray(listing) ? listing : ((listing as Record<string, unknown>)?.pages ?? (listing as Record<string, unknown>)?.links);
  if (!Array.isArray(links) || links.some((l) => typeof l !== 'string')) {
    throw new PermanentJobError(HARVEST_ERROR.badListing, 'the listing is not a list of page links (an array, or "pages" or "links" of one)');
  }
  if (links.length > MAX_HARVEST_PAGES) throw new PermanentJobError(HARVEST_ERROR.badListing, `the listing has ${links.length} pages; at most ${MAX_HARVEST_PAGES} are requested`);
  const pages = (links as string[]).map((l) => {
    const resolved = new URL(l, url).toString();
    const problem = outboundUrlProblem(resolved, config);
    if (problem) throw new PermanentJobError(problem.code, `page link ${resolved.slice(0, 200)}: ${problem.message}`);
    return resolved;
  });
  ctx.log(`${new URL(url).origin} lists ${pages.length} page(s)`);
  const out: HarvestListing = { pages, listUrl: url, ...(ctx.task.params.format ? { format: ctx.task.params.format } : {}) };
  return { result: out as unknown as Record<string, unknown> };
}

/** page: one page of a paginated API, kept as it came (named by its place in the listing). */
async function page(ctx: Ctx, config: HarvestConfig): Promise<JobOutcome> {
  const url = requireUrl(ctx);
  const n = (ctx.task.stage?.item ?? 0) + 1;
  const res = await guardedGet(url, config, ctx.signal);
  const file = await ctx.artifacts.write(`page-${String(n).padStart(4, '0')}.${extensionOf(res.contentType)}`, res.body, res.contentType);
  return { result: { page: n, key: file.key, bytes: file.size } };
}

/** combine (fan-in): every page's records, in the listing's order, into one file kept for collection. */
async function combine(ctx: FanInCtx): Promise<JobOutcome> {
  if (!ctx.stageResults) throw new PermanentJobError('not-a-fan-in', 'combine runs as the fan-in stage of the api-harvest-paged workflow');
  const pages: { item: number; key: string }[] = [];
  for await (const out of ctx.stageResults()) {
    const key = out.result?.key ?? out.artifacts[0]?.key;
    if (typeof key === 'string') pages.push({ item: out.item, key });
  }
  pages.sort((a, b) => a.item - b.item);
  const format = ctx.task.params.format ?? 'jsonl';
  const writer = new CombinedWriter(format);
  const stored = ctx.artifacts.write(`harvest.${format}`, writer.out, format === 'csv' ? 'text/csv' : 'application/x-ndjson');
  // Pages are read a few ahead of the one being written (in order), so S3's latency is not paid 1,000 times over.
  const reads = new Map<number, Promise<Buffer>>();
  const readAhead = (i: number): void => {
    for (let k = i; k < Math.min(pages.length, i + READ_AHEAD); k++) if (!reads.has(k)) reads.set(k, ctx.store.getBuffer(pages[k].key, ctx.signal));
  };
  try {
    for (const [i, p] of pages.entries()) {
      readAhead(i);
      const body = (await reads.get(i)!).toString('utf8');
      reads.delete(i);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        throw new PermanentJobError(HARVEST_ERROR.badListing, `page ${p.item + 1} is not JSON`);
      }
      for (const record of recordsOf(parsed)) await writer.add(record);
      ctx.progress(Math.floor(((i + 1) * 100) / pages.length));
    }
  } catch (err) {
    for (const pending of reads.values()) pending.catch(() => undefined);
    writer.out.destroy(err as Error);
    await stored.catch(() => undefined);
    throw err;
  }
  writer.end();
  const file = await stored;
  await keepForCollection(ctx.db, { _id: ctx.task.id, owner: ctx.task.owner, name: file.name, key: file.key, size: file.size, contentType: file.contentType });
  ctx.log(`${pages.length} page(s), ${writer.count} record(s) combined into ${file.name}`);
  return { result: { pages: pages.length, records: writer.count, file: file.name } };
}

/**
 * collect (the seed's "downloaded" step): copies the owner's files not yet collected into this task's
 * files and marks each downloaded. A file goes to exactly one collect run (a unique insert decides).
 */
async function collect(ctx: Ctx): Promise<JobOutcome> {
  await ensureHarvestIndexes(ctx.db);
  const { HarvestResult } = harvestModels(ctx.db);
  const ready = await HarvestResult.find({ collectKey: readyKey(ctx.task.owner) }).maxTimeMS(DB_TIMEOUT_MS).lean().exec();
  const manifest: { result: string; name: string; file: string; size: number; createdAt: Date }[] = [];
  for (const r of ready.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).slice(0, MAX_COLLECTED_RESULTS)) {
    if (!(await takeForDownload(ctx.db, r._id, ctx.task.id))) continue;
    const name = `${String(manifest.length + 1).padStart(3, '0')}-${r.name}`;
    await ctx.artifacts.write(name, await ctx.store.getStream(r.key, ctx.signal), r.contentType);
    await HarvestResult.updateOne({ _id: r._id }, { $set: { collectKey: downloadedKey(ctx.task.owner), downloadedAt: new Date(), downloadedBy: ctx.task.id } }).maxTimeMS(DB_TIMEOUT_MS).exec();
    manifest.push({ result: r._id, name: r.name, file: name, size: r.size, createdAt: r.createdAt });
  }
  await ctx.artifacts.write('collected.json', JSON.stringify(manifest, null, 2), 'application/json');
  const left = Math.max(0, ready.length - MAX_COLLECTED_RESULTS);
  ctx.log(`collected ${manifest.length} file(s)${left ? `; ${left} left for the next run` : ''}`);
  return { result: { collected: manifest.length, left } };
}

export function apiHarvestWorker(settings: HarvestConfig): WorkerDefinition<ApiHarvestParams> {
  const rules = new HarvestRules(settings);
  return defineWorker<ApiHarvestParams>({
    type: 'api-harvest',
    async handler(ctx) {
      const mode = ctx.task.params.mode ?? 'single';
      // Modes that request a host use the allowed hosts as they are now (an admin may have changed them).
      const config = mode === 'combine' || mode === 'collect' ? settings : await rules.inForce(ctx.db, ctx.logger);
      switch (mode) {
        case 'list':
          return list(ctx, config);
        case 'page':
          return page(ctx, config);
        case 'combine':
          return combine(ctx);
        case 'collect':
          return collect(ctx);
        default:
          return single(ctx, config);
      }
    },
  });
}
