// Numbers as the report shows them: rounded for reading to 4 significant digits (integers, and
// numbers already that short, as they are). The CSV and JSON files keep every digit; a rounded
// table cell carries the full value in its tooltip.
const SIGNIFICANT = 4;

/** A plain decimal or scientific number, as CSV cells hold them. */
export const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** `0.8136111111111111` → `0.8136`, `-1.000000208` → `-1.000`, `4.0125e-8` → `4.013e-8`, `12345.678` → `12346`. */
export function formatForReading(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  const size = Math.abs(value);
  if (size >= 10 ** (SIGNIFICANT - 1)) return String(Math.round(value));
  if (size >= 1e-3) return value.toPrecision(SIGNIFICANT);
  return value.toExponential(SIGNIFICANT - 1);
}

/** A CSV cell for reading: a long number rounded, anything else (and short numbers) as written. */
export function readableCell(text: string): { text: string; rounded: boolean } {
  if (!NUMBER.test(text)) return { text, rounded: false };
  const shown = formatForReading(Number(text));
  return Number(shown) === Number(text) ? { text, rounded: false } : { text: shown, rounded: true };
}

/** JSON text with every number in it rounded for reading. */
export function readableJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, v) => (typeof v === 'number' ? Number(formatForReading(v)) : v),
    indent,
  );
}
