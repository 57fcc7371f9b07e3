import { ValidationFailed } from './domain-errors.js';
import type { SimulatorState, UiExtensionRecord, UiExtensionVersionRecord } from './state.js';
import { findOwned } from './webhooks.js';

export interface UiExtensionInput {
  name?: string | null;
  category?: string | null;
  title?: string | null;
  description?: string | null;
  html?: string | null;
  css?: string | null;
  javascript?: string | null;
  formDefinition?: unknown;
  activate?: boolean | null;
  disabled?: boolean | null;
  showOnComplete?: boolean | null;
  darkModeSafe?: boolean | null;
  source?: string | null;
  sourceID?: string | null;
}

const CONTENT_FIELDS = ['html', 'css', 'javascript', 'formDefinition'] as const;

export function createUiExtension(
  state: SimulatorState,
  accountId: string,
  input: UiExtensionInput & { name: string; category: string },
): UiExtensionRecord {
  const duplicate = [...state.uiExtensions.values()].some(
    (extension) => extension.accountId === accountId && extension.name === input.name,
  );
  if (duplicate) throw new ValidationFailed([{ path: ['name'], message: `has already been taken: ${input.name}` }]);
  const now = state.now();
  const extension: UiExtensionRecord = {
    id: state.nextId('UiExtension'),
    accountId,
    name: input.name,
    title: input.title ?? null,
    description: input.description ?? null,
    category: input.category,
    disabled: input.disabled ?? false,
    showOnComplete: input.showOnComplete ?? false,
    darkModeSafe: input.darkModeSafe ?? false,
    versionIds: [],
    activeVersionId: null,
    source: input.source ?? null,
    sourceID: input.sourceID ?? null,
    createdAt: now,
    updatedAt: now,
  };
  state.uiExtensions.set(extension.id, extension);
  addVersion(state, extension, input);
  return extension;
}

/**
 * Updates a UI extension. New content (html, css, javascript, formDefinition) goes into a
 * new version, which becomes active when `activate` is true; the category cannot change.
 */
export function updateUiExtension(state: SimulatorState, accountId: string, id: number, input: UiExtensionInput): UiExtensionRecord {
  const extension = findOwned(state.uiExtensions, accountId, id, 'UiExtension');
  if (input.category != null && input.category !== extension.category) {
    throw new ValidationFailed([{ path: ['category'], message: 'cannot be changed after creation' }]);
  }
  if (input.name != null) extension.name = input.name;
  if (input.title !== undefined) extension.title = input.title;
  if (input.description !== undefined) extension.description = input.description;
  if (input.disabled != null) extension.disabled = input.disabled;
  if (input.showOnComplete != null) extension.showOnComplete = input.showOnComplete;
  if (input.darkModeSafe != null) extension.darkModeSafe = input.darkModeSafe;
  if (input.source !== undefined) extension.source = input.source;
  if (input.sourceID !== undefined) extension.sourceID = input.sourceID;
  extension.updatedAt = state.now();
  const contentChanged = CONTENT_FIELDS.some((field) => input[field] !== undefined);
  if (contentChanged) {
    addVersion(state, extension, input);
  } else if (input.activate) {
    const latestId = extension.versionIds[extension.versionIds.length - 1];
    if (latestId !== undefined) activate(state, extension, latestId);
  }
  return extension;
}

function addVersion(state: SimulatorState, extension: UiExtensionRecord, input: UiExtensionInput): void {
  const previousId = extension.versionIds[extension.versionIds.length - 1];
  const previous = previousId === undefined ? undefined : state.uiExtensionVersions.get(previousId);
  const now = state.now();
  const version: UiExtensionVersionRecord = {
    id: state.nextId('UiExtensionVersion'),
    uiExtensionId: extension.id,
    versionNr: extension.versionIds.length + 1,
    status: 'being_prepared',
    html: input.html !== undefined ? input.html : (previous?.html ?? null),
    css: input.css !== undefined ? input.css : (previous?.css ?? null),
    javascript: input.javascript !== undefined ? input.javascript : (previous?.javascript ?? null),
    formDefinition: input.formDefinition !== undefined ? input.formDefinition : (previous?.formDefinition ?? null),
    activatedAt: null,
    archivedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  state.uiExtensionVersions.set(version.id, version);
  extension.versionIds.push(version.id);
  if (input.activate) activate(state, extension, version.id);
}

function activate(state: SimulatorState, extension: UiExtensionRecord, versionId: number): void {
  const now = state.now();
  const current = extension.activeVersionId === null ? undefined : state.uiExtensionVersions.get(extension.activeVersionId);
  if (current && current.id !== versionId) {
    current.status = 'archived';
    current.archivedAt = now;
  }
  const version = state.uiExtensionVersions.get(versionId);
  if (!version) return;
  version.status = 'active';
  version.activatedAt = now;
  extension.activeVersionId = versionId;
}
