/**
 * Logs never carry personal data (CGV « données personnelles »; SPEC "Personal data"): every line goes through
 * `redact`, which masks email addresses, phone numbers, IBANs and bearer tokens, whatever produced the text
 * (our code, a library's error message, Temporal's worker). Structured: one JSON object per line.
 */
const PATTERNS: Array<[RegExp, string]> = [
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]'],
  [/\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g, '[iban]'],
  [/(?<![\w.-])(?:\+33 ?|0)[1-9](?:[ .-]?\d{2}){4}(?![\w-])/g, '[phone]'],
  [/(Bearer|token=)\s*[A-Za-z0-9._~+/=-]{12,}/gi, '$1 [secret]'],
];

export function redact(text: string): string {
  return PATTERNS.reduce((t, [re, by]) => t.replace(re, by), text);
}

function redactDeep(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return redact(v);
  if (v instanceof Error) return { name: v.name, message: redact(v.message), stack: v.stack ? redact(v.stack) : undefined };
  if (depth > 4 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => redactDeep(x, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactDeep(x, depth + 1)]));
}

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(
  component: string,
  minLevel: Level = (process.env.LOG_LEVEL as Level) || 'info',
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
) {
  const emit = (level: Level, message: string, meta?: Record<string, unknown>) => {
    if (ORDER[level] < ORDER[minLevel]) return;
    write(
      JSON.stringify({
        at: new Date().toISOString(),
        level,
        component,
        message: redact(message),
        ...(meta ? (redactDeep(meta) as object) : {}),
      }),
    );
  };
  return {
    debug: (m: string, meta?: Record<string, unknown>) => emit('debug', m, meta),
    info: (m: string, meta?: Record<string, unknown>) => emit('info', m, meta),
    warn: (m: string, meta?: Record<string, unknown>) => emit('warn', m, meta),
    error: (m: string, meta?: Record<string, unknown>) => emit('error', m, meta),
  };
}
export type Logger = ReturnType<typeof createLogger>;
