import { XacError } from '../errors.js';
import type { SecretWrite } from './store.js';

/**
 * Returns the error of a delivery whose secrets were sealed under a data key that a purge
 * destroyed before the delivery was stored. Its status is 503, so that Xurrent sends the
 * delivery again and its secrets are sealed under a new key.
 */
export function dataKeyMissingError(secret: Pick<SecretWrite, 'customerAccountId' | 'appReference'>): XacError {
  return new XacError(
    'XAC_DATA_KEY_MISSING',
    `the data key of customer ${secret.customerAccountId} and app ${secret.appReference} was destroyed while the delivery's secrets were sealed; ` +
      'nothing was stored, send the delivery again',
    503,
  );
}
