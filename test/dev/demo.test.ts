import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadSolution } from '../../src/cli/load-solution.js';
import { runDemo } from '../../src/dev/demo.js';
import { startDevEnvironment, type DevEnvironment } from '../../src/dev/dev-environment.js';
import { silentLogger } from '../../src/log.js';
import { newKeyRing } from '../support/harness.js';

describe('example demo', () => {
  let env: DevEnvironment | undefined;
  let dataDir: string;

  afterEach(async () => {
    await env?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the lifecycle without failed jobs', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'xac-demo-'));
    // Loaded as `xac dev` loads it: the example imports the package by name.
    const solution = await loadSolution(fileURLToPath(new URL('../../examples/note-dispatcher/solution.ts', import.meta.url)));
    env = await startDevEnvironment({ solution, keyRing: newKeyRing(), logger: silentLogger(), dataDir });
    const lines: string[] = [];

    const { failedJobs } = await runDemo(env, (line) => lines.push(line));

    expect(failedJobs).toBe(0);
    const output = lines.join('\n');
    expect(output).toContain('"region":"eu"');
    expect(output).toContain('"configurationItems":1,"errors":0');
    expect(output).toContain('job @purge-secrets [note-dispatcher@wdc] succeeded');
    expect(output).toContain('stored secrets after the removal: none');
  });
});
