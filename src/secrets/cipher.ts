import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SecretStoreError } from '../errors.js';

const FORMAT_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts with AES-256-GCM. The output is version byte, IV, tag and ciphertext. The additional
 * data binds a ciphertext to where it is stored, so that a row copied to another customer's
 * place fails to decrypt instead of handing over that customer's secret.
 */
export function seal(key: Buffer, plaintext: Buffer, additionalData: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(additionalData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT_VERSION]), iv, cipher.getAuthTag(), ciphertext]);
}

export function open(key: Buffer, sealed: Buffer, additionalData: string): Buffer {
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== FORMAT_VERSION) {
    throw new SecretStoreError('XAC_CIPHERTEXT_INVALID', `ciphertext for ${additionalData} has an unknown format`);
  }
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const ciphertext = sealed.subarray(1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(additionalData, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (error) {
    throw new SecretStoreError(
      'XAC_DECRYPTION_FAILED',
      `decryption of ${additionalData} failed: the key does not match or the stored value was altered`,
      { cause: error },
    );
  }
}
