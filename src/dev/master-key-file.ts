import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createMasterKeyRing, parseMasterKey, type MasterKeyRing } from '../secrets/master-keys.js';

/**
 * Reads the development master key from a file that only the owner may read, creating it on
 * first use. For `xac dev` only: production keys come from XAC_MASTER_KEY.
 */
export function devMasterKeyRing(file: string): { keyRing: MasterKeyRing; created: boolean } {
  let created = false;
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    created = true;
  }
  // A key file that others can read would make the encryption pointless on a shared machine.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return { keyRing: createMasterKeyRing(parseMasterKey(readFileSync(file, 'utf8'), file)), created };
}
