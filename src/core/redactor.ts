/** The one masking rule for secrets: records field by field, text, URLs and headers (see {@link Redactor}). */
import { authSchemeOf, isCredentialHeader, maskUrlCredentials, urlSecrets } from './credentials';
import type { ConnectionOptions } from './options';
import { maskSecretFields, plainDecoded, secretFieldValues } from './decodedSecrets';
import type { ConnRecord, Decoded, Headers, MessageRecord } from './records';

export const MASK = '••••';

/** Secrets shorter than this are masked only where a whole text value is the secret, never inside text. */
export const MIN_SUBSTRING_SECRET = 3;

/**
 * Masks secrets in records and text. The rule:
 * - Records are masked field by field, on their text values (data, reasons, header values, bodies,
 *   messages, URLs…), before anything is serialised; serialised text is never searched. Numbers and
 *   booleans (seq, sizes, codes, status, `retry` ms, flags) are values the client counts or parses and
 *   are never masked, so a numeric secret such as `200` cannot corrupt a record or its JSON, and a
 *   secret holding `"` or `\` is found before JSON escapes it.
 * - A secret of {@link MIN_SUBSTRING_SECRET} characters or more is masked wherever it appears in a
 *   text value (`••••`). A shorter one (`1`, `ok`) is masked only where a whole value is the secret:
 *   masking every `1` inside text would make the log unreadable and tell nothing about the secret.
 * - Binary payloads (base64 in the record) are masked in their bytes and stay valid base64.
 * - Headers that carry credentials ({@link isCredentialHeader}) keep only their scheme (`Bearer ••••`);
 *   URLs lose their credentials ({@link maskUrlCredentials}) even when no secret is configured.
 */
export class Redactor {
  private readonly secrets: string[];
  /** Secrets too short to search text for: masked as whole values only. */
  private readonly short: ReadonlySet<string>;

  constructor(secrets: readonly string[] = []) {
    const given = secrets.filter((s) => typeof s === 'string' && s.length > 0);
    // A server that echoes a secret inside JSON or a URL writes it escaped: those spellings are masked too.
    const unique = [...new Set(given.flatMap((s) => [s, ...encodedForms(s)]))];
    // Longest first, so a secret that contains another is masked whole.
    this.secrets = unique.filter((s) => s.length >= MIN_SUBSTRING_SECRET).sort((a, b) => b.length - a.length);
    this.short = new Set(unique.filter((s) => s.length < MIN_SUBSTRING_SECRET));
  }

  /** The redactor of a connection's options: its secrets, and those its URL carries ({@link urlSecrets}). */
  static forOptions(options: Pick<ConnectionOptions, 'url' | 'secrets'>): Redactor {
    return new Redactor([...(options.secrets ?? []), ...urlSecrets(options.url)]);
  }

  get hasSecrets(): boolean {
    return this.secrets.length > 0 || this.short.size > 0;
  }

  /** True when some secret is masked only as a whole value (shorter than {@link MIN_SUBSTRING_SECRET}). */
  get hasShortSecrets(): boolean {
    return this.short.size > 0;
  }

  private bytes: Buffer[] | undefined;
  private latin1: string[] | undefined;
  private shortLatin1: Set<string> | undefined;

  /** The secrets searched inside text, as UTF-8, to search bytes for them. */
  get secretBytes(): readonly Buffer[] {
    return (this.bytes ??= this.secrets.map((s) => Buffer.from(s, 'utf8')));
  }

  /**
   * `s` as a record's text value: every secret masked, a short secret only when it is the whole of
   * `s` (see the class comment).
   */
  field(s: string): string {
    return this.short.size && this.short.has(s) ? MASK : this.text(s);
  }

  /** Free text (a log line, the raw stream) with every secret of 3 characters or more masked. */
  text(s: string): string {
    let out = s;
    for (const secret of this.secrets) {
      if (out.includes(secret)) {
        out = out.split(secret).join(MASK);
      }
    }
    return out;
  }

  /**
   * How many characters at the end of `text` a secret begins with, so the secret may finish in the
   * text that follows: a stream masked piece by piece holds these back until the next piece, or a
   * secret split across two pieces would go out in clear. `text` is masked already.
   */
  unfinishedAtEnd(text: string): number {
    let longest = 0;
    for (const secret of this.secrets) {
      for (let k = Math.min(secret.length - 1, text.length); k > longest; k--) {
        if (text.endsWith(secret.slice(0, k))) {
          longest = k;
          break;
        }
      }
    }
    return longest;
  }

  /**
   * `text` that was cut from the end of a longer stream, masked: besides the secrets it holds, its
   * first characters are masked when they may be the end of a secret that began before the cut
   * (the longest start of `text` that is a proper end of a secret), so a tail never starts in clear
   * inside a secret.
   */
  cutText(text: string): string {
    let longest = 0;
    for (const secret of this.secrets) {
      for (let k = Math.min(secret.length - 1, text.length); k > longest; k--) {
        if (text.startsWith(secret.slice(secret.length - k))) {
          longest = k;
          break;
        }
      }
    }
    return longest ? MASK + this.text(text.slice(longest)) : this.text(text);
  }

  /** Header values with credentials keep only their scheme (`Bearer ••••`); the others are masked as text. */
  headers(headers: Headers | undefined): Headers {
    const out: Headers = {};
    for (const [name, value] of Object.entries(headers ?? {})) {
      out[this.field(name)] = isCredentialHeader(name) ? maskCredential(value) : this.field(value);
    }
    return out;
  }

  /** A URL without its credentials ({@link maskUrlCredentials}), and with every secret masked. */
  url(url: string): string {
    return this.field(maskUrlCredentials(url, MASK));
  }

  /**
   * The record as output may show it: masked field by field (see the class comment). Returns the
   * record itself when nothing changes, and at once when no secret is configured (URLs and credential
   * headers are masked when the connection makes its records) unless it is a message with a `decoded`,
   * whose credential fields are masked by name (`decodedSecrets.ts`) in any case.
   */
  record<R extends ConnRecord>(record: R): R {
    if (!this.hasSecrets && (record.kind !== 'message' || record.decoded === undefined)) {
      return record;
    }
    const r = record as ConnRecord;
    let out: ConnRecord;
    switch (r.kind) {
      case 'connecting': {
        const protocols = r.protocols && this.strings(r.protocols);
        out = this.fields(r, ['method', 'lastEventId']);
        out = this.set(out, 'url', this.url(r.url));
        out = this.set(out, 'headers', this.headerValues(r.headers));
        out = protocols ? this.set(out, 'protocols', protocols) : out;
        break;
      }
      case 'open':
        out = this.fields(r, ['statusText', 'protocol', 'extensions']);
        out = this.set(out, 'url', this.url(r.url));
        out = this.set(out, 'headers', this.headerValues(r.headers));
        out = r.requestHeaders ? this.set(out, 'requestHeaders', this.headerValues(r.requestHeaders)) : out;
        break;
      case 'message':
        if (this.hasSecrets) {
          out = this.fields(r, r.format === 'binary' ? ['event', 'id', 'lastEventId'] : ['data', 'event', 'id', 'lastEventId']);
          out = r.format === 'binary' ? this.set(out, 'data', this.base64(r.data)) : out;
        } else {
          out = r;
        }
        // Read from the record itself: a copy made above by a spread has no `decoded` of a DecodedText's.
        out = r.decoded === undefined ? out : this.decodedMessage(out as MessageRecord, r.decoded);
        break;
      case 'ping':
      case 'pong':
        out = this.set(r, 'data', this.base64(r.data));
        break;
      case 'comment':
        out = this.fields(r, ['text']);
        break;
      case 'closing':
      case 'close':
        out = this.fields(r, ['reason']);
        break;
      case 'error':
        out = this.fields(r, ['message', 'statusText', 'body']);
        out = r.headers ? this.set(out, 'headers', this.headerValues(r.headers)) : out;
        break;
      case 'info':
        out = this.fields(r, ['message']);
        break;
      case 'assertion':
        out = this.fields(r, ['rule', 'detail']);
        break;
      case 'llm':
        // Every text field: the answer, reasoning, tool arguments, errors and problems carry what the server sent.
        out = this.fields(r, ['text', 'reasoning', 'incomplete', 'model', 'responseId']);
        out = this.set(out, 'toolCalls', this.value(r.toolCalls));
        out = r.errors ? this.set(out, 'errors', this.value(r.errors)) : out;
        out = r.problems ? this.set(out, 'problems', this.strings(r.problems)) : out;
        break;
      case 'continuity':
        out = this.fields(r, ['lastEventId', 'id', 'basis']);
        break;
      case 'mcp':
        out = this.value(r);
        break;
      default:
        out = r;
    }
    return out as R;
  }

  /**
   * Any value (a transport's details, a status) with every string in it masked, at any depth; a
   * string under the key `url` is masked as a URL, one that names what a value is (`code`, `kind`,
   * `state`…) is left as it is. Returns `value` itself when nothing changes.
   */
  value<T>(value: T, key?: string): T {
    if (typeof value === 'string') {
      return (key === 'url' ? this.url(value) : key !== undefined && NAMING_FIELDS.has(key) ? value : this.field(value)) as T;
    }
    if (Array.isArray(value)) {
      const out = this.strings(value as unknown[]);
      return out as T;
    }
    if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
      let out: Record<string, unknown> | undefined;
      for (const [k, v] of Object.entries(value)) {
        const name = this.field(k);
        const masked = this.value(v, k);
        if (masked !== v || name !== k) {
          out ??= { ...(value as Record<string, unknown>) };
          if (name !== k) {
            delete out[k];
          }
          out[name] = masked;
        }
      }
      return (out ?? value) as T;
    }
    return value;
  }

  /**
   * A message's `decoded` masked: its credential fields by name, every secret in its text values as
   * {@link value} does; and the credentials it names masked in `data` too (the frame it read holds
   * them), with what this redactor masks there already. The same record when nothing changes.
   */
  private decodedMessage(r: MessageRecord, reading: Decoded): MessageRecord {
    const plain = plainDecoded(reading);
    const inFields = secretFieldValues(plain);
    let decoded = maskSecretFields(plain, MASK);
    decoded = this.hasSecrets ? this.value(decoded) : decoded;
    let out: MessageRecord = decoded === plain && r.decoded === reading ? r : { ...r, data: r.data, decoded };
    if (inFields.length) {
      // A plain copy without `decoded`, so the extra redactor masks `data` alone.
      const { decoded: kept, ...rest } = out;
      const masked = new Redactor(inFields).record({ ...rest, data: out.data } as MessageRecord);
      if (masked.data !== out.data) {
        out = { ...masked, decoded: kept };
      }
    }
    return out;
  }

  /** The elements masked with {@link value}; the same array when none changes. */
  private strings<T>(list: readonly T[]): T[] {
    let out: T[] | undefined;
    list.forEach((v, i) => {
      const masked = this.value(v);
      if (masked !== v) {
        (out ??= [...list])[i] = masked;
      }
    });
    return out ?? (list as T[]);
  }

  /** Headers masked like {@link headers}, as the same object when nothing changes. */
  private headerValues(headers: Headers): Headers {
    const masked = this.headers(headers);
    const names = Object.keys(headers);
    const same = Object.keys(masked).length === names.length && names.every((name) => masked[name] === headers[name]);
    return same ? headers : masked;
  }

  /** Base64 bytes with each secret's UTF-8 bytes replaced by the mask's; the same text when none is in them. */
  private base64(data: string): string {
    if (!data) {
      return data;
    }
    const bytes = Buffer.from(data, 'base64');
    // latin1 maps each byte to one character and back, so the search and the splice are on bytes.
    const text = bytes.toString('latin1');
    this.latin1 ??= this.secrets.map(toLatin1);
    this.shortLatin1 ??= new Set([...this.short].map(toLatin1));
    let out = text;
    if (this.shortLatin1.has(text)) {
      out = MASK_LATIN1;
    } else {
      for (const secret of this.latin1) {
        if (out.includes(secret)) {
          out = out.split(secret).join(MASK_LATIN1);
        }
      }
    }
    return out === text ? data : Buffer.from(out, 'latin1').toString('base64');
  }

  /** `r` with its text fields `names` masked (a copy only when one changes). */
  private fields<R extends object>(r: R, names: readonly (keyof R)[]): R {
    let out: R | undefined;
    for (const name of names) {
      const v = r[name];
      if (typeof v === 'string') {
        const masked = this.field(v);
        if (masked !== v) {
          (out ??= { ...r })[name] = masked as R[keyof R];
        }
      }
    }
    return out ?? r;
  }

  /** `r` with `name` set to `value`: `r` itself when the value is the same. */
  private set<R extends object, K extends keyof R>(r: R, name: K, value: R[K]): R {
    return r[name] === value ? r : { ...r, [name]: value };
  }
}

/** Fields whose strings name what a value is (an error code, a record kind), not text a server sent. */
const NAMING_FIELDS: ReadonlySet<string> = new Set(['code', 'kind', 'state', 'time', 'dir', 'format', 'by']);

/** A string's UTF-8 bytes as latin1 text (one character per byte), to search bytes with string methods. */
function toLatin1(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

const MASK_LATIN1 = toLatin1(MASK);

function maskCredential(value: string): string {
  if (!value.trim()) {
    // Nothing to hide: an empty credential reads as empty, so a refusal it causes has a visible cause.
    return value;
  }
  const scheme = authSchemeOf(value);
  return scheme ? `${scheme} ${MASK}` : MASK;
}

/** The ways a server may write `secret` when it echoes it inside JSON or a URL, where they differ from it. */
function encodedForms(secret: string): string[] {
  const out: string[] = [];
  const json = JSON.stringify(secret).slice(1, -1);
  if (json !== secret) {
    out.push(json);
  }
  const percent = encodeURIComponent(secret);
  if (percent !== secret) {
    out.push(percent);
  }
  return out;
}
