import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { SolutionError } from '../errors.js';
import type { Solution } from '../solution/define.js';

function isSolution(value: unknown): value is Solution {
  return typeof value === 'object' && value !== null && (value as Solution).runbooks instanceof Map;
}

/** Imports a solution file (TypeScript or JavaScript) whose default export is `defineSolution(...)`. */
export async function loadSolution(file: string, options: { fresh?: boolean } = {}): Promise<Solution> {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new SolutionError(`solution file ${path} does not exist; pass the file that exports defineSolution(...)`);
  }
  // A query string makes the module loader import a changed file again instead of its cached copy.
  const url = pathToFileURL(path).href + (options.fresh ? `?reload=${Date.now()}` : '');
  const module = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  const candidate = module.default ?? module.solution;
  if (!isSolution(candidate)) {
    throw new SolutionError(`${path} does not export a solution; add \`export default defineSolution({ runbooks: { ... } })\``);
  }
  return candidate;
}
