import type { z } from 'zod';

/**
 * Formats zod issues as `<root>.<path>: <message>`, joined by "; ", where `root` names the
 * parsed value (`body`, `payload`, a block name). Zod's issue messages name the expected type,
 * never the received value, so no secret leaks through them.
 */
export function describeIssues(error: z.ZodError, root: string): string {
  return error.issues.map((issue) => `${[root, ...issue.path].join('.')}: ${issue.message}`).join('; ');
}
