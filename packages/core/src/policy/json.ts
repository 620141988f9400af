/** A JSON object, as opposed to an array or null. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Builds an object with its keys in code-unit order. `Object.fromEntries`
 * defines own properties, so a key such as `__proto__` from parsed JSON stays
 * data instead of changing the prototype.
 */
export function sortedObject(
  value: Record<string, unknown>,
  mapValue: (key: string, item: unknown) => unknown
): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, mapValue(key, value[key])])
  );
}
