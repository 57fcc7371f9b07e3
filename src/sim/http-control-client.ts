import type { DeliveryAttempt, DeliveryFilter } from './deliveries.js';
import type { ControlMethod, SimulatorControl } from './control.js';
import { SimError } from './errors.js';
import type { SimErrorCode } from './errors.js';

type RemoteMethods = Omit<Pick<SimulatorControl, ControlMethod>, 'waitForDelivery'>;

/** The control API of a simulator in another process, reached over HTTP. */
export type RemoteSimulatorControl = RemoteMethods & {
  waitForDelivery(filter: DeliveryFilter, timeoutMs?: number): Promise<DeliveryAttempt>;
  /** Calls a control method by name; the CLI uses this. */
  call(method: ControlMethod, input?: unknown): Promise<unknown>;
};

/** Connects to the HTTP control API of a running simulator, e.g. `http://127.0.0.1:4790`. */
export function connectSimulator(url: string): RemoteSimulatorControl {
  const base = url.replace(/\/+$/, '');
  const call = async (method: ControlMethod, input: unknown = {}): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetch(`${base}/_sim/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(input ?? {}),
      });
    } catch (error) {
      throw new Error(`Could not reach the simulator at ${base}: ${(error as Error).message}. Start it with 'xac sim start'.`, {
        cause: error,
      });
    }
    const body = (await response.json()) as { result?: unknown; error?: { code: SimErrorCode; message: string } };
    if (body.error) throw new SimError(body.error.code, body.error.message);
    return body.result;
  };

  return new Proxy({ call } as RemoteSimulatorControl, {
    get(target, property) {
      if (property === 'call') return call;
      if (property === 'waitForDelivery') {
        return (filter: DeliveryFilter, timeoutMs?: number) => call('waitForDelivery', { filter, timeoutMs });
      }
      if (typeof property !== 'string' || property === 'then') return Reflect.get(target, property);
      return (input?: unknown) => call(property as ControlMethod, input);
    },
  });
}
