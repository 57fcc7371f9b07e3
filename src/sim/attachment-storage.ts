import type { SimulatorState } from './state.js';

/** Upload size limit served by attachmentStorage, in bytes. */
export const ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;
const ALLOWED_EXTENSIONS = ['png', 'jpg', 'jpeg', 'gif', 'svg', 'pdf', 'txt', 'csv', 'json', 'zip'];

/** Builds the `attachmentStorage` object: a local upload endpoint that returns JSON `{key}`. */
export function attachmentStorageFor(state: SimulatorState, accountId: string): Record<string, unknown> {
  return {
    sizeLimit: ATTACHMENT_SIZE_LIMIT,
    allowedExtensions: ALLOWED_EXTENSIONS,
    uploadUri: `${state.baseUrl}/attachments`,
    provider: 'local',
    // `${filename}` is a placeholder that the upload replaces with the file's name, as with S3.
    providerParameters: { key: `attachments/${accountId}/${state.now().toString(36)}/\${filename}` },
  };
}
