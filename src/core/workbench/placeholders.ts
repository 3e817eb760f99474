/**
 * `{{…}}` placeholders: dynamic values (`{{$uuid}}`, `{{$timestamp}}`, `{{$isoTimestamp}}`,
 * `{{$randomInt min max}}`, `{{$seq}}`), resolved each time a message is sent, and environment
 * variables (`{{host}}`), resolved from the active environment before connecting. `${env:}` /
 * `${secret:}` are another layer (`resolve.ts`) and run after these. No Node or DOM.
 */

/** Every `{{…}}` in a text: the inside is a `$name` with optional arguments, or a variable name. */
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const DYNAMIC = /^\s*\$([A-Za-z]+)((?:\s+\S+)*)\s*$/;
const VARIABLE = /^\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*$/;

/** A variable's name as `{{name}}` accepts it. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export const DYNAMIC_NAMES = ['uuid', 'timestamp', 'isoTimestamp', 'randomInt', 'seq'] as const;

/** True when `text` holds any `{{…}}`. */
export function hasPlaceholders(text: string): boolean {
  return text.includes('{{');
}

/** The first malformed placeholder in `text` (an unknown `$name`, bad `$randomInt` bounds, a bad variable name), or undefined. */
export function placeholderProblem(text: string): string | undefined {
  for (const m of text.matchAll(PLACEHOLDER)) {
    const d = DYNAMIC.exec(m[1]);
    if (d) {
      const problem = dynamicProblem(d[1], args(d[2]));
      if (problem) {
        return `"${m[0]}": ${problem}`;
      }
      continue;
    }
    if (!VARIABLE.test(m[1])) {
      return `"${m[0]}" is not a placeholder: use {{name}} for an environment variable or one of ${DYNAMIC_NAMES.map((n) => `{{$${n}}}`).join(', ')}`;
    }
  }
  return undefined;
}

function dynamicProblem(name: string, a: string[]): string | undefined {
  if (!(DYNAMIC_NAMES as readonly string[]).includes(name)) {
    return `unknown dynamic value "$${name}" (known: ${DYNAMIC_NAMES.map((n) => '$' + n).join(', ')})`;
  }
  if (name === 'randomInt') {
    if (a.length !== 2 || !a.every((x) => /^-?\d+$/.test(x) && Number.isSafeInteger(Number(x)))) {
      return '$randomInt takes two whole numbers: {{$randomInt min max}}';
    }
    if (Number(a[0]) > Number(a[1])) {
      return `$randomInt's min ${a[0]} is greater than its max ${a[1]}`;
    }
    return undefined;
  }
  return a.length ? `$${name} takes no arguments` : undefined;
}

function args(text: string): string[] {
  return text.trim() ? text.trim().split(/\s+/) : [];
}

/** Names of the `{{name}}` environment variables in `text`, each once, in order. */
export function variableNames(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const v = VARIABLE.exec(m[1]);
    if (v && !out.includes(v[1])) {
      out.push(v[1]);
    }
  }
  return out;
}

/** Replaces `{{name}}` by the variable's value; dynamic values stay for send time; an unknown name stays as written. */
export function substituteVariables(text: string, vars: Readonly<Record<string, string>>): string {
  if (!hasPlaceholders(text)) {
    return text;
  }
  return text.replace(PLACEHOLDER, (whole, inner: string) => {
    const v = VARIABLE.exec(inner);
    return v && Object.hasOwn(vars, v[1]) ? vars[v[1]] : whole;
  });
}

/** Where dynamic values come from: one per connection (its `$seq` counts that connection's sends). */
export class DynamicValues {
  private seq = 0;

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly random: () => number = Math.random,
    private readonly uuid: () => string = () => globalThis.crypto.randomUUID(),
  ) {}

  /** The `$seq` the next resolved message gets (1 first). */
  get nextSeq(): number {
    return this.seq + 1;
  }

  /**
   * `text` with every dynamic value resolved, once per call: `{{$seq}}` and `{{$timestamp}}` written
   * twice in one message give the same value. Each call is one send: `$seq` is its number among the
   * connection's sends (1 first). A variable left (`{{host}}`) is an error: nothing is sent half resolved.
   */
  resolve(text: string): string {
    return this.resolveMany([text])[0];
  }

  /**
   * The strings of one send (a protocol verb's fields) resolved together, as {@link resolve} resolves
   * one: one `$seq` and one clock for all of them; nothing resolved when any of them has a problem.
   * `count: false` leaves the send uncounted until {@link countSend} (when it may yet be refused).
   */
  resolveMany(texts: readonly string[], count = true): string[] {
    for (const text of texts) {
      if (!hasPlaceholders(text)) {
        continue;
      }
      const problem = placeholderProblem(text);
      if (problem) {
        throw new PlaceholderError(problem);
      }
      const left = variableNames(text);
      if (left.length) {
        throw new PlaceholderError(undefinedMessage(left));
      }
    }
    let now: number | undefined;
    const out = texts.map((text) =>
      !hasPlaceholders(text)
        ? text
        : text.replace(PLACEHOLDER, (whole, inner: string) => {
            const d = DYNAMIC.exec(inner)!;
            switch (d[1]) {
              case 'uuid':
                return this.uuid();
              case 'timestamp':
                return String((now ??= this.clock()));
              case 'isoTimestamp':
                return new Date((now ??= this.clock())).toISOString();
              case 'seq':
                return String(this.seq + 1);
              case 'randomInt': {
                const [lo, hi] = args(d[2]).map(Number);
                return String(lo + Math.floor(this.random() * (hi - lo + 1)));
              }
            }
            return whole;
          }),
    );
    if (count) {
      this.seq++;
    }
    return out;
  }

  /** Counts a send resolved with `count: false` once it went out. */
  countSend(): void {
    this.seq++;
  }
}

/** A placeholder that cannot be resolved: the message says which. */
export class PlaceholderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlaceholderError';
  }
}

/** "{{host}} is not defined" in words, for one or several names. */
export function undefinedMessage(names: readonly string[], environment?: string): string {
  const list = names.map((n) => `{{${n}}}`).join(', ');
  const where =
    environment === undefined
      ? 'no environment is active'
      : `environment "${environment}" does not define ${names.length === 1 ? 'it' : 'them'}`;
  return `${list} ${names.length === 1 ? 'is' : 'are'} not defined: ${where}`;
}
