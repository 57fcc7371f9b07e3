import { globalRegistry, type ZodType } from 'zod';

// Kept in zod's global registry, which lives on globalThis, so that a solution file loaded by a
// separate module loader marks schemas that the runtime's copy of this module recognizes.
const SECRET_META_KEY = 'xacSecret';

/**
 * Marks a field of a `ctx.retrieveAppConfig` schema as a secret form field: its value comes from
 * the secrets that Xurrent pushed with `app_instance.secrets-update`, not from the app instance's
 * custom fields. Checks added later keep the mark: `secret(z.string()).min(8)`.
 */
export function secret<T extends ZodType>(schema: T): T {
  return schema.meta({ [SECRET_META_KEY]: true });
}

/** True when `secret()` marked the schema, or a schema that it wraps (optional, nullable, default, pipe). */
export function isSecretField(schema: ZodType): boolean {
  let current: unknown = schema;
  for (let depth = 0; depth < 20 && current; depth++) {
    const candidate = current as ZodType;
    if (globalRegistry.get(candidate)?.[SECRET_META_KEY] === true) return true;
    const def = (candidate as { _zod?: { def?: { innerType?: unknown; in?: unknown } } })._zod?.def;
    current = def?.innerType ?? def?.in;
  }
  return false;
}
