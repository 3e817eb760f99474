/** Whether a message record meets a rule's matcher. Parses a message's JSON once for all the rules that ask. */
import { isDeepStrictEqual } from 'node:util';
import type { JSONPathNodeList } from 'json-p3';
import type { MessageRecord } from '../records';
import type { CompiledMatcher, JsonType, TextTest } from './expect';

export class RecordMatcher {
  /** Parsed JSON of the message last matched. */
  private json: { seq: number; ok: boolean; value?: unknown } | undefined;

  matches(m: CompiledMatcher, r: MessageRecord): boolean {
    if (r.dir !== m.dir) {
      return false;
    }
    if (m.format !== undefined && r.format !== m.format) {
      return false;
    }
    if (m.event && (r.event === undefined || !testText(m.event, r.event, true))) {
      return false;
    }
    if (m.id && (r.id === undefined || !testText(m.id, r.id, true))) {
      return false;
    }
    if (m.data && !testText(m.data, r.data, false)) {
      return false;
    }
    if (m.json) {
      const parsed = this.parsed(r);
      if (!parsed.ok) {
        return false;
      }
      let nodes: JSONPathNodeList;
      try {
        nodes = m.json.query.query(parsed.value as Parameters<typeof m.json.query.query>[0]);
      } catch {
        return false;
      }
      const values = nodes.values();
      const { hasEquals, equals, type } = m.json;
      return values.some((v) => (!hasEquals || isDeepStrictEqual(v, equals)) && (type === undefined || typeOf(v, type)));
    }
    return true;
  }

  private parsed(r: MessageRecord): { ok: boolean; value?: unknown } {
    if (this.json?.seq !== r.seq) {
      try {
        this.json = { seq: r.seq, ok: r.format === 'text', value: r.format === 'text' ? JSON.parse(r.data) : undefined };
      } catch {
        this.json = { seq: r.seq, ok: false };
      }
    }
    return this.json;
  }
}

export function testText(t: TextTest, value: string, exact: boolean): boolean {
  if ('re' in t) {
    return t.re.test(value);
  }
  return exact ? value === t.text : value.includes(t.text);
}

function typeOf(v: unknown, type: JsonType): boolean {
  switch (type) {
    case 'null':
      return v === null;
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'integer':
      return Number.isInteger(v);
    default:
      return typeof v === type;
  }
}
