/**
 * Provider connection settings, read from environment variables and an optional
 * config file. Environment variables win over the file, field by field.
 */
import { inspect } from 'node:util';
import { z } from 'zod';

import {
  XURRENT_REGIONS,
  XURRENT_STAGES,
  InvalidEndpointError,
  accountUrl as accountUrlFromPattern,
  customEndpoints,
  isValidAccountId,
  stageEndpoints,
} from './environments.js';
import type { CustomEndpointOptions, XurrentEndpoints } from './environments.js';
import { XurrentConfigError } from './errors.js';

/** Xurrent settings as a config file gives them. Every field is optional. */
export interface XurrentFileConfig {
  providerAccount?: string;
  clientId?: string;
  clientSecret?: string;
  stage?: string;
  region?: string;
  /** Use the 4me domains (4me.com, 4me.qa, 4me-demo.com) in place of the Xurrent ones. */
  legacy?: boolean;
  oauthUrl?: string;
  graphqlUrl?: string;
  accountUrlPattern?: string;
  introspectUrl?: string;
  authorizeUrl?: string;
  restUrl?: string;
  allowInsecureHttp?: boolean;
  publicUrl?: string;
}

export interface ConnectionSettings {
  /** Id of the provider's Xurrent account, sent as `X-Xurrent-Account`. */
  providerAccount: string;
  clientId: string;
  /** Left out of `JSON.stringify` and `util.inspect` output. */
  clientSecret: string;
  endpoints: XurrentEndpoints;
  /** Base URL at which Xurrent reaches this runtime, without a trailing slash. */
  publicUrl: string | undefined;
  /** Settings that were accepted but ignored. Log them at startup. */
  warnings: string[];
}

/** The environment variable of each setting that has one. */
export const CONNECTION_ENV_VARS = {
  providerAccount: 'XAC_PROVIDER_ACCOUNT',
  clientId: 'XAC_PROVIDER_CLIENT_ID',
  clientSecret: 'XAC_PROVIDER_CLIENT_SECRET',
  stage: 'XAC_XURRENT_STAGE',
  region: 'XAC_XURRENT_REGION',
  oauthUrl: 'XAC_XURRENT_OAUTH_URL',
  graphqlUrl: 'XAC_XURRENT_GRAPHQL_URL',
  accountUrlPattern: 'XAC_XURRENT_ACCOUNT_URL_PATTERN',
  publicUrl: 'XAC_PUBLIC_URL',
} as const satisfies Partial<Record<keyof XurrentFileConfig, string>>;

type SettingName = keyof XurrentFileConfig;

const CUSTOM_ONLY_SETTINGS = ['introspectUrl', 'authorizeUrl', 'restUrl', 'allowInsecureHttp'] as const;

const settingsSchema = z.object({
  providerAccount: z
    .string({ error: 'is missing; set it to the id of the provider account, for example "wdc"' })
    .refine(isValidAccountId, {
      error: (issue) => `is not a valid account id (letters, digits and hyphens), got ${JSON.stringify(issue.input)}`,
    }),
  clientId: z.string({
    error: "is missing; set it to the client id of the provider's OAuth application (client credentials grant)",
  }),
  clientSecret: z.string({
    error: "is missing; set it to the client secret of the provider's OAuth application",
  }),
  stage: z
    .enum(XURRENT_STAGES, {
      error: (issue) => `must be one of ${XURRENT_STAGES.join(', ')}, got ${JSON.stringify(issue.input)}`,
    })
    .optional(),
  region: z
    .enum(XURRENT_REGIONS, {
      error: (issue) =>
        `must be one of ${XURRENT_REGIONS.join(', ')}, or unset for the global domain, got ${JSON.stringify(issue.input)}`,
    })
    .optional(),
  legacy: z.boolean({ error: 'must be true or false' }).optional(),
  oauthUrl: z.string().optional(),
  graphqlUrl: z.string().optional(),
  accountUrlPattern: z.string().optional(),
  introspectUrl: z.string().optional(),
  authorizeUrl: z.string().optional(),
  restUrl: z.string().optional(),
  allowInsecureHttp: z.boolean({ error: 'must be true or false' }).optional(),
  publicUrl: z
    .url({
      protocol: /^https?$/,
      error: (issue) => `must be an http(s) URL, got ${JSON.stringify(issue.input)}`,
    })
    .optional(),
});

type ParsedSettings = z.infer<typeof settingsSchema>;

/**
 * Reads and validates the provider connection settings. Throws `XurrentConfigError`
 * listing every problem, each with the variable or config key to change. No message
 * contains the client secret.
 *
 * Endpoints come either from a stage (`XAC_XURRENT_STAGE`, default production, plus an
 * optional `XAC_XURRENT_REGION`) or from a complete custom set: OAuth URL, GraphQL URL
 * and account URL pattern together. Mixing the two is rejected so that tokens from one
 * environment are never sent to another.
 */
export function resolveConnectionSettings(
  env: NodeJS.ProcessEnv | Record<string, string | undefined>,
  fileConfig: XurrentFileConfig = {},
): ConnectionSettings {
  const raw: Record<string, unknown> = {};
  const fromEnv = new Set<SettingName>();
  const fromFile = new Set<SettingName>();
  for (const name of Object.keys(fileConfig) as SettingName[]) {
    if (fileConfig[name] !== undefined) {
      raw[name] = fileConfig[name];
      fromFile.add(name);
    }
  }
  for (const [name, variable] of Object.entries(CONNECTION_ENV_VARS) as [SettingName, string][]) {
    const value = env[variable]?.trim();
    if (value !== undefined && value !== '') {
      raw[name] = value;
      fromEnv.add(name);
      fromFile.delete(name);
    }
  }

  const label = (name: SettingName): string => labelOf(name, fromFile);
  const fail = (issues: string[]): never => {
    throw new XurrentConfigError(issues.map((issue) => redactSecret(issue, raw.clientSecret)));
  };

  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    return fail(parsed.error.issues.map((issue) => `${label(issue.path[0] as SettingName)} ${issue.message}`));
  }

  const settings = parsed.data;
  const issues = findCombinationIssues(settings, label);
  if (issues.length > 0) {
    return fail(issues);
  }

  let endpoints: XurrentEndpoints;
  try {
    endpoints = buildEndpoints(settings);
  } catch (error) {
    if (error instanceof InvalidEndpointError) {
      return fail([`${label(error.option as SettingName)} ${error.problem}`]);
    }
    throw error;
  }
  const warnings = endpoints.warnings.map((warning) => `${label('region')}: ${warning}`);
  return redactSecretInOutput({
    providerAccount: settings.providerAccount.toLowerCase(),
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    endpoints,
    publicUrl: settings.publicUrl?.replace(/\/+$/, ''),
    warnings,
  });
}

/** Returns the web URL of an account, for example `https://wdc.xurrent.com`. */
export function accountUrl(
  target: ConnectionSettings | Pick<XurrentEndpoints, 'accountUrlPattern'>,
  accountId: string,
): string {
  const endpoints = 'endpoints' in target ? target.endpoints : target;
  return accountUrlFromPattern(endpoints, accountId);
}

/** Names a setting as the user gave it: its environment variable, or its config file key. */
function labelOf(name: SettingName, fromFile: ReadonlySet<SettingName>): string {
  const variable = (CONNECTION_ENV_VARS as Partial<Record<SettingName, string>>)[name];
  if (variable === undefined || fromFile.has(name)) {
    return `${name} in the config file`;
  }
  return variable;
}

function findCombinationIssues(settings: ParsedSettings, label: (name: SettingName) => string): string[] {
  const issues: string[] = [];
  const hasOauth = settings.oauthUrl !== undefined;
  const hasGraphql = settings.graphqlUrl !== undefined;
  const hasPattern = settings.accountUrlPattern !== undefined;
  const useStage = `use ${label('stage')}`;

  if (hasOauth && !hasGraphql) {
    issues.push(`${label('oauthUrl')} is set but ${label('graphqlUrl')} is not; set both, or remove both and ${useStage}`);
  }
  if (hasGraphql && !hasOauth) {
    issues.push(`${label('graphqlUrl')} is set but ${label('oauthUrl')} is not; set both, or remove both and ${useStage}`);
  }
  if (hasOauth && hasGraphql && !hasPattern) {
    issues.push(
      `${label('oauthUrl')} and ${label('graphqlUrl')} are set but ${label('accountUrlPattern')} is not; ` +
        'set it to the account URL with {account} in place of the account id, for example https://{account}.xurrent.com',
    );
  }
  if (hasPattern && !hasOauth && !hasGraphql) {
    issues.push(
      `${label('accountUrlPattern')} is set but ${label('oauthUrl')} and ${label('graphqlUrl')} are not; ` +
        `set all three, or remove it and ${useStage}`,
    );
  }

  const custom = hasOauth || hasGraphql || hasPattern;
  if (custom) {
    let customName: SettingName = 'accountUrlPattern';
    if (hasOauth) {
      customName = 'oauthUrl';
    } else if (hasGraphql) {
      customName = 'graphqlUrl';
    }
    const stageSettings: SettingName[] = ['stage', 'region', 'legacy'];
    for (const name of stageSettings) {
      if (settings[name] !== undefined) {
        issues.push(
          `${label(name)} and ${label(customName)} are both set; remove ${label(name)} to use custom endpoints, ` +
            `or remove the custom endpoints to ${useStage}`,
        );
      }
    }
  } else {
    for (const name of CUSTOM_ONLY_SETTINGS) {
      if (settings[name] !== undefined) {
        issues.push(
          `${label(name)} applies only to custom endpoints; remove it, or set ${label('oauthUrl')}, ` +
            `${label('graphqlUrl')} and ${label('accountUrlPattern')}`,
        );
      }
    }
  }
  return issues;
}

/**
 * Replaces the client secret in a message that quotes user input, in case the secret
 * was pasted into another setting. Secrets shorter than 4 characters are left alone,
 * because replacing them would garble the message.
 */
function redactSecret(message: string, secret: unknown): string {
  if (typeof secret !== 'string' || secret.length < 4) {
    return message;
  }
  return message.split(secret).join('[REDACTED]');
}

/** Builds the endpoints. Throws `InvalidEndpointError` for an unusable custom URL. */
function buildEndpoints(settings: ParsedSettings): XurrentEndpoints {
  if (settings.oauthUrl === undefined || settings.graphqlUrl === undefined || settings.accountUrlPattern === undefined) {
    return stageEndpoints({ stage: settings.stage ?? 'production', region: settings.region, legacy: settings.legacy });
  }

  const options: CustomEndpointOptions = {
    oauthUrl: settings.oauthUrl,
    graphqlUrl: settings.graphqlUrl,
    accountUrlPattern: settings.accountUrlPattern,
    introspectUrl: settings.introspectUrl,
    authorizeUrl: settings.authorizeUrl,
    restUrl: settings.restUrl,
    allowInsecureHttp: settings.allowInsecureHttp,
  };
  return customEndpoints(options);
}

/** Makes `JSON.stringify` (and so pino) and `util.inspect` print the secret as "[REDACTED]". */
function redactSecretInOutput(settings: ConnectionSettings): ConnectionSettings {
  const redacted = (): Record<string, unknown> => ({ ...settings, clientSecret: '[REDACTED]' });
  Object.defineProperty(settings, 'toJSON', { value: redacted, enumerable: false });
  Object.defineProperty(settings, inspect.custom, {
    value: (_depth: number, options: object) => inspect(redacted(), options),
    enumerable: false,
  });
  return settings;
}
