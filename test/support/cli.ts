import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  /** Exit code of the process; -1 when it was killed or did not start. */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node bin/xac.js` as a child process, as a user would. Variables set to undefined in env
 * are removed from the child's environment.
 */
export function runXac(
  args: string[],
  env: Record<string, string | undefined>,
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const childEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined) childEnv[name] = value;
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'bin/xac.js'), ...args],
      { env: childEnv, cwd: options.cwd, timeout: options.timeoutMs ?? 30_000 },
      (error, stdout, stderr) => {
        resolve({ code: exitCodeOf(error), stdout, stderr });
      },
    );
  });
}

function exitCodeOf(error: { code?: unknown } | null): number {
  if (error === null) return 0;
  if (typeof error.code === 'number') return error.code;
  return -1;
}
