import { afterEach, describe, expect, it } from 'vitest';
import { startDevEnvironment, type DevEnvironment } from '../../src/dev/dev-environment.js';
import { defineSolution, installationChanged, secretsChanged } from '../../src/index.js';
import { silentLogger } from '../../src/log.js';
import { newKeyRing, waitFor } from '../support/harness.js';

const APP = 'reloaded-app';

function solution(marker: string, seen: string[]) {
  return defineSolution({
    runbooks: {
      secrets: secretsChanged({ appReferences: [APP] }),
      installed: installationChanged({ event: 'app_instance.create', appReference: APP }, (ctx) => {
        seen.push(`${marker}:${ctx.trigger.customerAccountId}`);
      }),
    },
  });
}

describe('xac dev environment', () => {
  let env: DevEnvironment;

  afterEach(async () => {
    await env.close();
  });

  it('runs the reloaded solution on the same port', async () => {
    const seen: string[] = [];
    env = await startDevEnvironment({ solution: solution('first', seen), keyRing: newKeyRing(), logger: silentLogger() });
    const urlBefore = env.runtimeUrl;
    await env.reload(solution('second', seen));
    expect(env.runtimeUrl).toBe(urlBefore);

    await env.simulator.control.install({ customer: 'wdc', offeringReference: APP });
    await waitFor(() => (seen.length > 0 ? true : undefined), 10_000, 'the install job');
    expect(seen).toEqual(['second:wdc']);
  });
});
