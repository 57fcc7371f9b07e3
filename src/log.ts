import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Paths that pino replaces with "[redacted]" wherever a caller logs an object by mistake.
 * The runtime itself never passes secret values to a logger; this is the second line of defence.
 */
const REDACTED_PATHS = [
  'secret',
  'secrets',
  'clientSecret',
  'client_secret',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'jwt',
  'authorization',
  'masterKey',
  '*.secret',
  '*.secrets',
  '*.clientSecret',
  '*.client_secret',
  '*.accessToken',
  '*.access_token',
  '*.jwt',
  '*.authorization',
  'req.headers.authorization',
];

export interface LoggerOptions {
  level?: string;
  pretty?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino({
    level: options.level ?? process.env.XAC_LOG_LEVEL ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: undefined,
  });
}

/** Returns a logger that writes nothing, the default for library use and tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
