import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { readAsyncResult } from './async-queries.js';
import { ATTACHMENT_SIZE_LIMIT } from './attachment-storage.js';
import type { FaultRegistry } from './faults.js';
import { faultHook, isRawBody } from './http.js';
import type { RawBody } from './http.js';
import { parseMultipart } from './multipart.js';
import type { SimulatorState } from './state.js';

interface StorageDeps {
  state: SimulatorState;
  faults: FaultRegistry;
}

/** Registers the upload endpoint of attachmentStorage and the async query result URLs. */
export function registerStorageRoutes(app: FastifyInstance, deps: StorageDeps): void {
  // Uploads keep their bytes whatever the content type, so a JSON or text file is stored as sent.
  void app.register(async (uploads) => {
    uploads.removeAllContentTypeParsers();
    uploads.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
      const raw: RawBody = { contentType: String(request.headers['content-type'] ?? ''), buffer: body as Buffer };
      done(null, raw);
    });
    registerUploadRoute(uploads, deps);
  });

  app.get('/async_results/:file', { preHandler: faultHook(deps.faults, 'asyncResult') }, async (request, reply) => {
    const { file } = request.params as { file: string };
    const document = readAsyncResult(deps.state, file.replace(/\.json$/, ''));
    if (document === undefined) return reply.code(404).send({ message: 'Unknown or expired result URL.' });
    return reply.code(200).send(document);
  });
}

/**
 * POST /attachments takes multipart/form-data (the provider parameters, then `file`) as
 * with S3, or the raw bytes with `?filename=`. It returns `{key}` as Xurrent's local storage does.
 */
function registerUploadRoute(app: FastifyInstance, deps: StorageDeps): void {
  const { state, faults } = deps;
  app.post(
    '/attachments',
    { preHandler: faultHook(faults, 'upload'), bodyLimit: ATTACHMENT_SIZE_LIMIT * 2 },
    async (request, reply) => {
      const body = request.body;
      if (!isRawBody(body)) {
        return reply.code(400).send({ error: 'Invalid upload: send multipart/form-data with a file part, or the raw file bytes.' });
      }
      let filename = (request.query as { filename?: string }).filename ?? 'upload.bin';
      let data = body.buffer;
      let contentType = body.contentType;
      let key: string | undefined;
      if (body.contentType.toLowerCase().startsWith('multipart/form-data')) {
        const parts = parseMultipart(body.buffer, body.contentType);
        const file = parts?.find((part) => part.name === 'file');
        if (!parts || !file) {
          return reply.code(400).send({ error: 'Invalid upload: the multipart body has no part named "file".' });
        }
        filename = file.filename ?? filename;
        data = file.data;
        contentType = file.contentType ?? 'application/octet-stream';
        key = parts.find((part) => part.name === 'key')?.data.toString('utf8');
      }
      if (data.length > ATTACHMENT_SIZE_LIMIT) {
        return reply.code(413).send({ error: `File too large: ${data.length} bytes, the limit is ${ATTACHMENT_SIZE_LIMIT}.` });
      }
      const finalKey = (key ?? `attachments/${randomUUID()}/\${filename}`).replaceAll('${filename}', filename);
      state.attachments.set(finalKey, { key: finalKey, filename, contentType, size: data.length, uploadedAt: state.now() });
      return reply.code(200).send({ key: finalKey });
    },
  );
}
