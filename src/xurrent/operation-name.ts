import { Kind, parse } from 'graphql';
import type { FieldNode, SelectionNode } from 'graphql';

const LABEL_CACHE_SIZE = 500;
const labelCache = new Map<string, string>();

/**
 * Returns a name for a GraphQL document to put in errors and logs: the operation
 * name, else the first root field (for example `appInstances`), else "GraphQL request"
 * when the document does not parse.
 */
export function operationLabel(document: string, operationName?: string): string {
  if (operationName !== undefined && operationName !== '') {
    return operationName;
  }

  let label = labelCache.get(document);
  if (label === undefined) {
    label = labelFromDocument(document);
    if (labelCache.size >= LABEL_CACHE_SIZE) {
      labelCache.clear();
    }
    labelCache.set(document, label);
  }
  return label;
}

function labelFromDocument(document: string): string {
  try {
    const parsed = parse(document, { noLocation: true });
    for (const definition of parsed.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) {
        continue;
      }
      if (definition.name !== undefined) {
        return definition.name.value;
      }

      const firstField = definition.selectionSet.selections.find(isField);
      if (firstField !== undefined) {
        return firstField.name.value;
      }
    }
  } catch {
    // The server reports the syntax error in its response, so a generic label suffices.
  }
  return 'GraphQL request';
}

function isField(selection: SelectionNode): selection is FieldNode {
  return selection.kind === Kind.FIELD;
}
