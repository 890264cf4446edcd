import type { NamespacedUnregister } from 'tsx/esm/api';

let loader: Promise<NamespacedUnregister> | undefined;

/**
 * Imports a TypeScript module through tsx (Node 20 cannot strip types). One tsx namespace serves
 * the whole process: registering afresh for every file costs about a third of a second each. tsx
 * itself is loaded only the first time a TypeScript file is imported.
 */
export async function importTypeScript(specifier: string, parentURL: string): Promise<unknown> {
  loader ??= import('tsx/esm/api').then((api) => api.register({ namespace: 'godwit' }));
  return (await loader).import(specifier, parentURL);
}
