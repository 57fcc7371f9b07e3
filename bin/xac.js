#!/usr/bin/env node
// Runs the TypeScript sources through tsx in a clone of the repository, so that a change takes
// effect without a build, and the compiled CLI in an installed package, which has no sources.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'cli', 'main.ts');

if (existsSync(source)) {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport(pathToFileURL(source).href, import.meta.url);
} else {
  await import(pathToFileURL(join(root, 'dist', 'cli', 'main.js')).href);
}
