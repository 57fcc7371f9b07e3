import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.js';

export interface MasterKey {
  /** First 16 hex digits of the key's SHA-256; stored beside each data key it wraps. */
  id: string;
  key: Buffer;
}

/**
 * The key that wraps new data keys, and older keys that may still wrap some of them until
 * `xac keys rotate` has run.
 */
export interface MasterKeyRing {
  current: MasterKey;
  byId: ReadonlyMap<string, MasterKey>;
}

export function parseMasterKey(text: string, variable: string): MasterKey {
  const trimmed = text.trim();
  // Buffer.from skips characters outside base64 and also decodes base64url, so the text is checked first.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) {
    throw new ConfigError(
      `${variable} is not base64: it may contain only A-Z, a-z, 0-9, "+", "/" and "=" padding; generate one with \`xac keys generate\``,
    );
  }
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new ConfigError(
      `${variable} is not 32 bytes of base64 (decoded ${key.length} bytes); generate one with \`xac keys generate\``,
    );
  }
  return { id: masterKeyId(key), key };
}

export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/**
 * Reads XAC_MASTER_KEY and the comma-separated XAC_PREVIOUS_MASTER_KEYS. During a rotation every
 * process gets the new key as XAC_MASTER_KEY and the old one in XAC_PREVIOUS_MASTER_KEYS, so that
 * each can read data keys wrapped by either while `xac keys rotate` re-wraps them.
 */
export function masterKeyRingFromEnv(env: Record<string, string | undefined>): MasterKeyRing {
  const currentText = env.XAC_MASTER_KEY;
  if (!currentText) {
    throw new ConfigError(
      'XAC_MASTER_KEY is not set; generate a key with `xac keys generate` and set it as base64 in the environment',
    );
  }
  const current = parseMasterKey(currentText, 'XAC_MASTER_KEY');
  const previous = (env.XAC_PREVIOUS_MASTER_KEYS ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part, index) => parseMasterKey(part, `XAC_PREVIOUS_MASTER_KEYS entry ${index + 1}`));
  return createMasterKeyRing(current, previous);
}

export function createMasterKeyRing(current: MasterKey, previous: MasterKey[] = []): MasterKeyRing {
  const byId = new Map<string, MasterKey>();
  for (const key of [...previous, current]) byId.set(key.id, key);
  return { current, byId };
}
