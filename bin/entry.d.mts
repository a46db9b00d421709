/** True when dist/ holds a build of the current sources. */
export function compiledIsCurrent(): boolean;
/** Imports a module of the service by its source path, e.g. 'src/cli.ts': compiled when current, else through tsx. */
export function importService(sourcePath: string): Promise<unknown>;
