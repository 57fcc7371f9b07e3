import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSimulator, startSimulator } from '../../src/sim/index.js';
import type { RunningSimulator } from '../../src/sim/index.js';
import { simCommand } from '../../src/sim/cli.js';
import { startReceiver } from './helpers.js';
import type { Receiver } from './helpers.js';

let sim: RunningSimulator;
let receiver: Receiver;

beforeAll(async () => {
  sim = await startSimulator({ retrySpeedFactor: 0.0001 });
  receiver = await startReceiver();
  await sim.control.createWebhook({ event: 'app_instance.secrets-update', uri: `${receiver.url}/secrets`, verified: true });
  await sim.control.createOffering({ reference: 'cli-app', automationRules: [{ name: 'Rule' }] });
});

afterAll(async () => {
  await sim.close();
  await receiver.close();
});

const cliOutput: string[] = [];
const exitCodes: number[] = [];

/** Runs a CLI subcommand and returns its JSON result; the lines after it land in cliOutput. */
async function runCli(args: string[]): Promise<unknown> {
  cliOutput.length = 0;
  exitCodes.length = 0;
  await simCommand({ write: (text) => cliOutput.push(text), setExitCode: (code) => exitCodes.push(code) }).parseAsync([
    'node',
    'sim',
    ...args,
    '--url',
    sim.url,
  ]);
  return JSON.parse(cliOutput[0]!) as unknown;
}

describe('HTTP control API', () => {
  it('runs control methods remotely', async () => {
    const remote = connectSimulator(sim.url);

    const account = await remote.createCustomerAccount({ id: 'remote' });
    const accounts = await remote.accounts();

    expect(account).toEqual({ id: 'remote', name: 'Remote', url: sim.accountUrl('remote'), role: 'customer' });
    expect(accounts.map((candidate) => candidate.id)).toEqual(['provider', 'remote']);
  });

  it('reports errors with code and message', async () => {
    const remote = connectSimulator(sim.url);

    await expect(remote.install({ customer: 'remote', offeringReference: 'missing' })).rejects.toMatchObject({
      code: 'SIM_NOT_FOUND',
      message: "App offering 'missing' not found; create it with appOfferingCreate or control createOffering.",
    });
  });

  it('rejects invalid input', async () => {
    const response = await fetch(`${sim.url}/_sim/setTokenLifetime`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ seconds: 'soon' }),
    });
    const body = (await response.json()) as { error: { code: string; message: string } };

    expect(response.status).toBe(400);
    expect(body.error.code).toBe('SIM_INVALID_ARGUMENT');
    expect(body.error.message).toMatch(/^Invalid input for setTokenLifetime: seconds: /);
  });

  it('waits for a delivery remotely', async () => {
    const remote = connectSimulator(sim.url);
    await remote.install({ customer: 'waiter', offeringReference: 'cli-app', secrets: { token: 'abc' } });

    const attempt = await remote.waitForDelivery({ event: 'app_instance.secrets-update', customerAccountId: 'waiter' }, 3000);

    expect(attempt.ok).toBe(true);
  });
});

describe('CLI', () => {
  it('installs with fields, secrets and order', async () => {
    const result = (await runCli([
      'install',
      '--customer', 'cli-customer',
      '--offering', 'cli-app',
      '--field', 'count=3',
      '--field', 'channel=#ops',
      '--secret', 'token=abc',
      '--order', 'secrets,create',
    ])) as { appInstanceId: number; callIds: number[] };
    const instance = await sim.control.appInstance({ customer: 'cli-customer', offeringReference: 'cli-app' });
    const secrets = await sim.control.waitForDelivery({ callId: result.callIds[0] });

    expect(instance.customFields).toEqual([
      { id: 'count', value: 3 },
      { id: 'channel', value: '#ops' },
    ]);
    expect((secrets.data.payload as Record<string, unknown>).secrets).toEqual({ token: 'abc' });
  });

  it('suspends and uninstalls', async () => {
    await runCli(['suspend', '--customer', 'cli-customer', '--offering', 'cli-app', '--comment', 'paused']);
    const suspended = await sim.control.appInstance({ customer: 'cli-customer', offeringReference: 'cli-app' });
    await runCli(['uninstall', '--customer', 'cli-customer', '--offering', 'cli-app']);

    expect(suspended.suspensionComment).toBe('paused');
    await expect(sim.control.appInstance({ customer: 'cli-customer', offeringReference: 'cli-app' })).rejects.toThrow(/No app instance/);
  });

  it('reports how each delivery was answered', async () => {
    receiver.status = 422;
    try {
      await runCli(['install', '--customer', 'reporting', '--offering', 'cli-app', '--secret', 'api_key=k', '--order', 'secrets']);
    } finally {
      receiver.status = 200;
    }

    expect(cliOutput.slice(1)).toEqual([`app_instance.secrets-update to ${receiver.url}/secrets answered 422 {"ok":false}`]);
    expect(exitCodes).toEqual([1]);
  });

  it('says when no webhook listens', async () => {
    await runCli(['install', '--customer', 'quiet', '--offering', 'cli-app', '--order', 'create']);

    expect(cliOutput.slice(1)).toEqual(['No delivery was sent: no webhook of the account listens to this event for this offering.']);
    expect(exitCodes).toEqual([]);
  });

  it('rejects an unknown install part', async () => {
    const command = simCommand({ write: () => undefined }).exitOverride();
    command.commands.forEach((subcommand) => subcommand.exitOverride().configureOutput({ writeErr: () => undefined }));

    await expect(
      command.parseAsync(['node', 'sim', 'install', '--customer', 'x', '--offering', 'y', '--order', 'later', '--url', sim.url]),
    ).rejects.toThrow(/'later' is not an install part/);
  });
});
