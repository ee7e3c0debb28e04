/**
 * The byte-exact serialisation that audit-entry hashes are computed over. It must never depend on
 * the order in which code happened to build an object, or on the JavaScript engine, because an
 * auditor re-computes the hashes years later with other tools: object keys are sorted by code
 * point, there is no whitespace, and only JSON's own types are accepted (a NaN or an undefined
 * would otherwise silently become null or vanish, and two different records would hash alike).
 */
export type CanonicalValue = null | boolean | number | string | CanonicalValue[] | { [key: string]: CanonicalValue };

export function canonicalJson(value: unknown): string {
  return serialise(value, '$');
}

function serialise(value: unknown, at: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${at} is ${value}, which JSON cannot represent`);
      // -0 and 0 must serialise alike, as JSON.stringify does.
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((element, index) => serialise(element, `${at}[${index}]`)).join(',')}]`;
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null) {
        throw new TypeError(`canonical JSON: ${at} is a ${(value as object).constructor?.name ?? 'non-plain object'}, not a plain object`);
      }
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, element]) => element !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([key, element]) => `${JSON.stringify(key)}:${serialise(element, `${at}.${key}`)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON: ${at} is of type ${typeof value}`);
  }
}
