import { z } from 'zod';
import { RejectionError } from '../errors.js';
import type { SecretBlocks } from '../secrets/secret-store.js';
import { describeIssues } from './schema-issues.js';
import { importPolicyKey, parsePolicyAlgorithm } from './verification/policy.js';
import { VerificationError } from './verification/errors.js';

const applicationSchema = z.looseObject({
  nodeID: z.string().min(1),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
});

const policySchema = z.looseObject({
  nodeID: z.string().optional(),
  algorithm: z.string().min(1),
  public_key: z.string().min(1),
  audience: z.string().nullish(),
  issuer: z.string().nullish(),
});

const secretsSchema = z.record(z.string().min(1), z.unknown());

/** Names of the blocks a secrets-update payload carried, for job records and delivery summaries. */
export interface BlockNames {
  application: boolean;
  authorizationApplication: boolean;
  policy: boolean;
  secrets: string[];
}

/**
 * Reads the secret blocks of an `app_instance.secrets-update` payload. A block that is present
 * but malformed rejects the whole delivery, so that no half of it is stored.
 */
export function parseSecretBlocks(payload: Record<string, unknown>, where: string): { blocks: SecretBlocks; names: BlockNames } {
  const blocks: SecretBlocks = {};

  for (const [key, target] of [
    ['application', 'application'],
    ['authorization_application', 'authorizationApplication'],
  ] as const) {
    if (payload[key] === undefined || payload[key] === null) continue;
    const parsed = applicationSchema.safeParse(payload[key]);
    if (!parsed.success) throw invalidBlock(where, key, parsed.error);
    blocks[target] = {
      oauthApplicationNodeId: parsed.data.nodeID,
      clientId: parsed.data.client_id,
      clientSecret: parsed.data.client_secret,
    };
  }

  if (payload.policy !== undefined && payload.policy !== null) {
    const parsed = policySchema.safeParse(payload.policy);
    if (!parsed.success) throw invalidBlock(where, 'policy', parsed.error);
    try {
      const algorithm = parsePolicyAlgorithm(parsed.data.algorithm);
      const key = importPolicyKey(parsed.data.public_key, algorithm);
      blocks.policy = {
        ...(parsed.data.nodeID ? { nodeId: parsed.data.nodeID } : {}),
        algorithm,
        publicKeyPem: key.publicKeyPem,
        audience: parsed.data.audience ?? null,
        ...(parsed.data.issuer ? { issuer: parsed.data.issuer } : {}),
      };
    } catch (error) {
      if (error instanceof VerificationError) {
        throw new RejectionError('XAC_CUSTOMER_POLICY_INVALID', `${where}: policy block is unusable: ${error.message}`, 422);
      }
      throw error;
    }
  }

  if (payload.secrets !== undefined && payload.secrets !== null) {
    const parsed = secretsSchema.safeParse(payload.secrets);
    if (!parsed.success) throw invalidBlock(where, 'secrets', parsed.error);
    blocks.secrets = parsed.data;
  }

  return {
    blocks,
    names: {
      application: blocks.application !== undefined,
      authorizationApplication: blocks.authorizationApplication !== undefined,
      policy: blocks.policy !== undefined,
      secrets: Object.keys(blocks.secrets ?? {}),
    },
  };
}

function invalidBlock(where: string, block: string, error: z.ZodError): RejectionError {
  return new RejectionError('XAC_SECRET_BLOCK_INVALID', `${where}: ${describeIssues(error, block)}`, 422);
}
