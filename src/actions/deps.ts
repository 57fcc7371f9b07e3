import type { XurrentConnection } from '../connection/xurrent-connection.js';
import type { Logger } from '../log.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { Solution } from '../solution/define.js';
import type { Store } from '../storage/store.js';
import type { StepJournal } from './steps.js';

/** Services that the actions of one job run share: the runtime's, the job's step journal and logger. */
export interface ActionDeps {
  solution: Solution;
  store: Store;
  secretStore: SecretStore;
  now: () => Date;
  connection?: XurrentConnection;
  journal: StepJournal;
  logger: Logger;
}
