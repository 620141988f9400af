import { readFile } from 'node:fs/promises';

/**
 * Sample events under `events/` name accounts, OUs and the Region with the
 * seeder's placeholders (`{account:payments}`, `{ou:Builds}`, `{root}`,
 * `{region}`), because an emulator hands out new ids on every run. Every
 * string of the event is passed through `resolve`.
 */
export function resolveEvent(
  value: unknown,
  resolve: (text: string) => string
): unknown {
  if (typeof value === 'string') return resolve(value);
  if (Array.isArray(value)) {
    return value.map((item): unknown => resolveEvent(item, resolve));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        resolveEvent(item, resolve),
      ])
    );
  }

  return value;
}

/** Reads a JSON event file; undefined `resolve` leaves it as written. */
export async function readEventFile(
  path: string,
  resolve: (text: string) => string = (text) => text
): Promise<unknown> {
  const text = await readFile(path, 'utf8');

  return resolveEvent(JSON.parse(text), resolve);
}
