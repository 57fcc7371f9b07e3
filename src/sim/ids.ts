import { randomBytes } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Builds a Xurrent nodeID: unpadded URL-safe base64 of `<host>/<Type>/<numeric id>`,
 * e.g. `4me-staging.com/AppInstance/1` becomes `NG1lLXN0YWdpbmcuY29tL0FwcEluc3RhbmNlLzE`.
 */
export function encodeNodeId(host: string, type: string, id: number): string {
  return Buffer.from(`${host}/${type}/${id}`, 'utf8').toString('base64url');
}

export interface DecodedNodeId {
  host: string;
  type: string;
  id: number;
}

/** Decodes a nodeID, or returns undefined when the value is not one. */
export function decodeNodeId(value: string): DecodedNodeId | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
  const decoded = Buffer.from(value, 'base64url').toString('utf8');
  const match = /^(.+)\/([A-Za-z]+)\/(\d+)$/.exec(decoded);
  if (!match) return undefined;
  const [, host, type, id] = match;
  if (host === undefined || type === undefined || id === undefined) return undefined;
  return { host, type, id: Number(id) };
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function randomUrlToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** Random letters and digits, the alphabet of Xurrent's OAuth client ids and secrets. */
export function randomAlphanumeric(length: number): string {
  const bytes = randomBytes(length);
  let result = '';
  for (const byte of bytes) result += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return result;
}
