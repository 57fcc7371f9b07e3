/**
 * Measures the receiver and the worker on this machine and writes the numbers to
 * docs/benchmarks.md. Run with `npm run bench`; BENCH_DELIVERIES and BENCH_JOBS change the sizes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { createApp } from '../src/app.js';
import { createMasterKeyRing, parseMasterKey } from '../src/secrets/master-keys.js';
import { defineSolution, installationChanged, secretsChanged } from '../src/index.js';

const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 2000);
const JOBS = Number(process.env.BENCH_JOBS ?? 2000);
const CONCURRENCY = 16;
const ISSUER = 'https://provider.xurrent.com';

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'xac-bench-'));
  let jobsDone = 0;
  const solution = defineSolution({
    concurrency: 8,
    runbooks: {
      secrets: secretsChanged(),
      installed: installationChanged({ event: 'app_instance.create' }, () => {
        jobsDone++;
      }),
    },
  });
  const app = await createApp({
    solution,
    keyRing: createMasterKeyRing(parseMasterKey(randomBytes(32).toString('base64'), 'bench')),
    databasePath: join(dir, 'bench.sqlite'),
    worker: { pollIntervalMs: 20 },
  });
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  await app.runtime.store.setProviderPolicy({
    algorithm: 'ES256',
    publicKeyPem: await exportSPKI(publicKey),
    issuer: ISSUER,
    audience: null,
    source: 'manual',
    updatedAt: new Date(),
  });
  const url = await app.listen();

  const sign = (event: string, payload: Record<string, unknown>) =>
    new SignJWT({ data: { event, account_id: 'provider', name: event, payload } })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(ISSUER)
      .setJti(randomBytes(32).toString('hex'))
      .setIssuedAt()
      .setNotBefore(Math.floor(Date.now() / 1000))
      .sign(privateKey);

  async function post(path: string, jwt: string): Promise<number> {
    const started = performance.now();
    const response = await fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-xurrent-delivery': randomUUID() },
      body: JSON.stringify({ jwt }),
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`delivery rejected with HTTP ${response.status}`);
    return performance.now() - started;
  }

  async function run(count: number, make: (index: number) => Promise<[string, string]>): Promise<{ seconds: number; latencies: number[] }> {
    const requests = await Promise.all(Array.from({ length: count }, (_, index) => make(index)));
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const [path, jwt] = requests[next++]!;
          latencies.push(await post(path, jwt));
        }
      }),
    );
    return { seconds: (performance.now() - started) / 1000, latencies: latencies.sort((a, b) => a - b) };
  }

  const secrets = await run(DELIVERIES, async (index) => [
    '/xurrent/secrets',
    await sign('app_instance.secrets-update', {
      app_offering: { reference: 'bench-app' },
      customer_account_id: `customer-${index % 200}`,
      application: { nodeID: `app-${index}`, client_id: `id-${index}`, client_secret: randomBytes(24).toString('hex') },
      secrets: { api_key: randomBytes(16).toString('hex') },
    }),
  ]);
  // The secrets jobs have no handler; wait for nothing and measure the job path separately.
  const jobsStarted = performance.now();
  const installs = await run(JOBS, async (index) => [
    '/xurrent/installations',
    await sign('app_instance.create', { app_offering: { reference: 'bench-app' }, customer_account_id: `customer-${index}` }),
  ]);
  while (jobsDone < JOBS) await new Promise((resolve) => setTimeout(resolve, 20));
  const jobSeconds = (performance.now() - jobsStarted) / 1000;
  const rssMiB = process.memoryUsage().rss / 1024 / 1024;
  await app.close();
  rmSync(dir, { recursive: true, force: true });

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    '# Benchmarks',
    '',
    'Numbers from `npm run bench` (bench/run.ts): one process with receiver and worker, SQLite in a temporary',
    `folder, ${CONCURRENCY} concurrent HTTP clients on loopback, ES256-signed deliveries. They vary between runs and`,
    'machines; compare runs on the same machine only.',
    '',
    `Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, Node.js ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '| measurement | value |',
    '| --- | --- |',
    `| secrets-update deliveries verified, encrypted and committed | ${(DELIVERIES / secrets.seconds).toFixed(0)} per second (${DELIVERIES} deliveries) |`,
    `| secrets-update latency p50 / p95 / p99 | ${percentile(secrets.latencies, 0.5).toFixed(1)} / ${percentile(secrets.latencies, 0.95).toFixed(1)} / ${percentile(secrets.latencies, 0.99).toFixed(1)} ms |`,
    `| app_instance.create deliveries acknowledged | ${(JOBS / installs.seconds).toFixed(0)} per second |`,
    `| app_instance.create latency p50 / p95 | ${percentile(installs.latencies, 0.5).toFixed(1)} / ${percentile(installs.latencies, 0.95).toFixed(1)} ms |`,
    `| deliveries to completed jobs (receive, commit, claim, run, finish) | ${(JOBS / jobSeconds).toFixed(0)} jobs per second (${JOBS} jobs, worker concurrency 8) |`,
    `| resident memory at the end | ${rssMiB.toFixed(0)} MiB |`,
    '',
  ];
  writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), lines.join('\n'));
  console.log(lines.join('\n'));
}

await main();
