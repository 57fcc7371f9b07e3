import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { SolutionError } from '../errors.js';
import type { Solution } from '../solution/define.js';

function isSolution(value: unknown): value is Solution {
  return typeof value === 'object' && value !== null && (value as Solution).runbooks instanceof Map;
}

/**
 * Finds the solution among a module's exports. A file that a CommonJS package compiles wraps
 * the default export once more, as `default.default`.
 */
function exportedSolution(module: Record<string, unknown>): unknown {
  const candidates = [module.default, module.solution, (module.default as Record<string, unknown> | undefined)?.default];
  return candidates.find(isSolution);
}

/**
 * Returns the first line of the error, plus the compiler's `file:line:column: ERROR: …` lines. The rest
 * of a compiler error repeats the file's source, which may contain keys.
 */
function summarizeLoadError(error: unknown): string {
  const lines = (error instanceof Error ? error.message : String(error)).split('\n');
  const located = lines.filter((line) => /:\d+:\d+: ERROR: /.test(line));
  return [lines[0], ...located].join(' ');
}

/** Imports a solution file (TypeScript or JavaScript) whose default export is `defineSolution(...)`. */
export async function loadSolution(file: string, options: { fresh?: boolean } = {}): Promise<Solution> {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new SolutionError(`solution file ${path} does not exist; pass the file that exports defineSolution(...)`);
  }
  // A query string makes the module loader import a changed file again instead of its cached copy.
  const url = pathToFileURL(path).href + (options.fresh ? `?reload=${Date.now()}` : '');
  let module: Record<string, unknown>;
  try {
    module = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof SolutionError) {
      throw new SolutionError(`${path}: ${error.message}`);
    }
    throw new SolutionError(`loading solution file ${path} failed: ${summarizeLoadError(error)}`);
  }
  const solution = exportedSolution(module);
  if (!solution) {
    throw new SolutionError(`${path} does not export a solution; add \`export default defineSolution({ runbooks: { ... } })\``);
  }
  return solution as Solution;
}
