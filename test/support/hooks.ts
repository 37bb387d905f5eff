/**
 * Starts a resource in a beforeAll and stops it in an afterAll of the enclosing describe (or the file), and returns an
 * accessor for it: tests call `thing()` when they run, after the hook has started it. afterAll hooks run in the order
 * they were registered, so declare what must stop first (a stack, whose workers use a fixture site) first.
 */
export function useResource<T>(what: string, start: () => Promise<T>, stop: (resource: T) => Promise<unknown>): () => T {
  let resource: T | undefined;
  beforeAll(async () => {
    resource = await start();
  });
  afterAll(async () => {
    // A failed start leaves nothing to stop; the beforeAll's own error is the one to report.
    if (resource !== undefined) await stop(resource);
    resource = undefined;
  });
  return () => {
    if (resource === undefined) throw new Error(`the ${what} is only there inside tests and hooks declared after it`);
    return resource;
  };
}
