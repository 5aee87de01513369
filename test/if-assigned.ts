/**
 * A variable that `beforeAll` assigns, as `afterAll` must see it: still unassigned when `beforeAll` failed first.
 * `await ifAssigned(browser)?.close()` closes only what was started.
 */
export function ifAssigned<T>(value: T): T | undefined {
  return value;
}
