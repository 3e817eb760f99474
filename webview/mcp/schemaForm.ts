/**
 * A form for a tool's arguments, made from its `inputSchema` (JSON Schema): a field per property
 * (string, number, integer, boolean, enum; object and array as JSON), required ones marked. A schema
 * the form cannot follow (not an object schema, a property of no type it knows) gives a raw JSON box
 * instead, with the reason in words. Names and descriptions come from the server: text only.
 */
import { h } from '../dom';

export type FormRead = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'json';

interface Field {
  name: string;
  kind: FieldKind;
  required: boolean;
  input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  choices?: unknown[];
}

/** Most properties one form shows as fields; a schema with more is edited as raw JSON. */
const MAX_FIELDS = 100;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The fields of `schema`, or why the form cannot follow it. */
function fieldsOf(schema: unknown): { props: [string, Record<string, unknown>][]; required: Set<string> } | string {
  if (schema === undefined) {
    return { props: [], required: new Set() };
  }
  if (!isObject(schema)) {
    return 'the input schema is not a JSON object';
  }
  if (schema.type !== undefined && schema.type !== 'object') {
    return `the input schema's type is ${JSON.stringify(schema.type)}, not "object"`;
  }
  const props = schema.properties ?? {};
  if (!isObject(props)) {
    return '"properties" is not an object';
  }
  const entries = Object.entries(props);
  if (entries.length > MAX_FIELDS) {
    return `it has ${entries.length} properties`;
  }
  const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [];
  const out: [string, Record<string, unknown>][] = [];
  for (const [name, p] of entries) {
    if (!isObject(p)) {
      return `property "${name}" has no schema object`;
    }
    if (kindOf(p) === undefined) {
      return `property "${name}" has a type the form does not know (${JSON.stringify(p.type ?? null)})`;
    }
    out.push([name, p]);
  }
  return { props: out, required: new Set(required) };
}

function kindOf(p: Record<string, unknown>): FieldKind | undefined {
  if (Array.isArray(p.enum) && p.enum.length > 0) {
    return 'enum';
  }
  switch (p.type) {
    case 'string':
    case 'number':
    case 'integer':
    case 'boolean':
      return p.type;
    case 'object':
    case 'array':
      return 'json';
    default:
      return undefined;
  }
}

export class SchemaForm {
  readonly el: HTMLElement;
  private readonly fields: Field[] = [];
  private raw: HTMLTextAreaElement | undefined;
  /** Why the form fell back to raw JSON (undefined: it follows the schema). */
  readonly fallback: string | undefined;

  constructor(schema: unknown, idPrefix: string) {
    this.el = h('div', { class: 'mcp-form' });
    const read = fieldsOf(schema);
    if (typeof read === 'string') {
      this.fallback = read;
      this.raw = h('textarea', {
        class: 'input mcp-raw',
        rows: 6,
        spellcheck: 'false',
        'aria-label': 'Arguments (JSON)',
      });
      this.raw.value = '{}';
      this.el.append(h('p', { class: 'mcp-note', role: 'note' }, `Arguments as raw JSON: ${read}.`), this.raw);
      return;
    }
    if (read.props.length === 0) {
      this.el.append(h('p', { class: 'mcp-note' }, 'No arguments.'));
    }
    read.props.forEach(([name, p], i) => {
      const field = this.field(name, p, read.required.has(name), `${idPrefix}-${i}`);
      this.fields.push(field);
    });
  }

  private field(name: string, p: Record<string, unknown>, required: boolean, id: string): Field {
    const kind = kindOf(p)!;
    let input: Field['input'];
    let choices: unknown[] | undefined;
    if (kind === 'enum' || kind === 'boolean') {
      choices = kind === 'enum' ? (p.enum as unknown[]) : [true, false];
      input = h('select', { class: 'input', id });
      if (!required || kind === 'enum') {
        input.append(h('option', { value: '' }, required ? 'Choose…' : '(not set)'));
      }
      choices.forEach((c, i) => input.append(h('option', { value: String(i) }, typeof c === 'string' ? c : JSON.stringify(c))));
      if (p.default !== undefined) {
        const at = choices.findIndex((c) => JSON.stringify(c) === JSON.stringify(p.default));
        if (at >= 0) {
          input.value = String(at);
        }
      }
    } else if (kind === 'json') {
      input = h('textarea', { class: 'input mcp-json', id, rows: 3, spellcheck: 'false', placeholder: p.type === 'array' ? '[]' : '{}' });
      if (p.default !== undefined) {
        input.value = JSON.stringify(p.default);
      }
    } else {
      input = h('input', {
        class: 'input',
        id,
        type: kind === 'string' ? 'text' : 'number',
        step: kind === 'integer' ? '1' : kind === 'number' ? 'any' : undefined,
        spellcheck: 'false',
      });
      if (typeof p.default === 'string' || typeof p.default === 'number') {
        input.value = String(p.default);
      }
    }
    if (required) {
      input.setAttribute('aria-required', 'true');
    }
    const description = typeof p.description === 'string' ? p.description : undefined;
    const type = kind === 'enum' ? 'one of' : kind === 'json' ? `${String(p.type)} as JSON` : kind;
    const label = h(
      'label',
      { class: 'mcp-label', for: id },
      h('span', { class: 'mcp-field-name' }, name),
      required ? h('span', { class: 'mcp-required', title: 'required' }, ' *') : null,
      h('span', { class: 'mcp-type' }, ` ${type}`),
    );
    this.el.append(
      h('div', { class: 'mcp-field', 'data-name': name }, label, input, description ? h('div', { class: 'mcp-hint' }, description) : null),
    );
    return { name, kind, required, input, choices };
  }

  /** The arguments as the form holds them, or the first problem in words. */
  read(): FormRead {
    if (this.raw) {
      let value: unknown;
      try {
        value = JSON.parse(this.raw.value || '{}');
      } catch (err) {
        return { ok: false, error: `The arguments are not JSON: ${(err as Error).message}` };
      }
      return isObject(value) ? { ok: true, value } : { ok: false, error: 'The arguments must be a JSON object' };
    }
    const value: Record<string, unknown> = {};
    for (const f of this.fields) {
      const text = f.input.value;
      if (text === '') {
        if (f.required) {
          return { ok: false, error: `"${f.name}" is required` };
        }
        continue;
      }
      switch (f.kind) {
        case 'string':
          value[f.name] = text;
          break;
        case 'number':
        case 'integer': {
          const n = Number(text);
          if (!Number.isFinite(n) || (f.kind === 'integer' && !Number.isInteger(n))) {
            return { ok: false, error: `"${f.name}" must be ${f.kind === 'integer' ? 'a whole number' : 'a number'}` };
          }
          value[f.name] = n;
          break;
        }
        case 'enum':
        case 'boolean':
          value[f.name] = f.choices![Number(text)];
          break;
        case 'json':
          try {
            value[f.name] = JSON.parse(text);
          } catch (err) {
            return { ok: false, error: `"${f.name}" is not JSON: ${(err as Error).message}` };
          }
          break;
      }
    }
    return { ok: true, value };
  }
}

/** A prompt's `arguments` list as the schema the form reads: every argument a string. */
export function promptSchema(args: unknown): unknown {
  if (!Array.isArray(args)) {
    return undefined;
  }
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const a of args) {
    if (!isObject(a) || typeof a.name !== 'string') {
      return { type: 'object', properties: { '(argument)': 'not an object with a name' } };
    }
    properties[a.name] = { type: 'string', ...(typeof a.description === 'string' ? { description: a.description } : {}) };
    if (a.required === true) {
      required.push(a.name);
    }
  }
  return { type: 'object', properties, required };
}
