/**
 * The send box's protocol form: one of the connection's adapter verbs (Socket.IO emit, GraphQL
 * subscribe, MQTT publish…) with one input per `AdapterField` — text, multiline, JSON (checked before
 * sending), number, boolean, choice. What was typed is kept per adapter and verb (`VerbDrafts`), so a
 * reload or a switch to another verb and back loses nothing.
 */
import type { AdapterField, AdapterVerb, AdapterView } from '../src/protocol';
import { h } from './dom';
import { validateJson } from './format/json';

/** Typed values by `adapter/verb`, then by field name (text as typed; booleans as booleans). */
export type VerbDrafts = Record<string, Record<string, string | boolean>>;

export type VerbFields = { ok: true; fields: Record<string, unknown> } | { ok: false; error: string };

export class VerbForm {
  readonly el = h('div', { class: 'verb-form' });
  private inputs: { field: AdapterField; input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement }[] = [];
  private key = '';

  /** `changed` hears every edit (the box saves its state soon); `submit` is Ctrl/Cmd+Enter in a field. */
  constructor(
    private drafts: VerbDrafts,
    private readonly changed: () => void,
    private readonly submit: () => void,
  ) {}

  /** Builds the form of `verb`, with what was typed for it before. */
  show(adapter: AdapterView, verb: AdapterVerb): void {
    this.key = `${adapter.name}/${verb.name}`;
    const saved = (this.drafts[this.key] ??= {});
    this.inputs = verb.fields.map((field) => ({ field, input: this.inputFor(field, saved[field.name]) }));
    this.el.replaceChildren(
      ...this.inputs.map(({ field, input }) => {
        const id = `verb-field-${field.name}`;
        input.id = id;
        input.dataset.field = field.name;
        const label = h('label', { class: 'field-label', for: id }, field.optional ? field.label : `${field.label} *`);
        return h('div', { class: `verb-field verb-field-${field.kind}` }, ...(field.kind === 'boolean' ? [input, label] : [label, input]));
      }),
    );
  }

  setDrafts(drafts: VerbDrafts): void {
    this.drafts = drafts;
  }

  /** The fields as the verb takes them, or the first problem in words (nothing is sent then). */
  read(): VerbFields {
    const fields: Record<string, unknown> = {};
    for (const { field, input } of this.inputs) {
      if (field.kind === 'boolean') {
        fields[field.name] = (input as HTMLInputElement).checked;
        continue;
      }
      const text = input.value;
      if (!text.trim()) {
        if (!field.optional) {
          return { ok: false, error: `${field.label} is required` };
        }
        continue;
      }
      if (field.kind === 'json') {
        const error = validateJson(text);
        if (error) {
          return { ok: false, error: `${field.label} is not valid JSON: ${error}` };
        }
        fields[field.name] = JSON.parse(text) as unknown;
      } else if (field.kind === 'number') {
        const n = Number(text);
        if (!Number.isFinite(n)) {
          return { ok: false, error: `${field.label} must be a number` };
        }
        fields[field.name] = n;
      } else {
        fields[field.name] = text;
      }
    }
    return { ok: true, fields };
  }

  /** Focuses the first field. */
  focus(): void {
    this.inputs[0]?.input.focus();
  }

  private inputFor(field: AdapterField, saved: string | boolean | undefined): HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement {
    const attrs = { class: 'input', 'aria-label': field.label, placeholder: field.placeholder ?? '', spellcheck: 'false' };
    let input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
    switch (field.kind) {
      case 'boolean': {
        const box = h('input', { type: 'checkbox', 'aria-label': field.label });
        box.checked = saved === true;
        input = box;
        break;
      }
      case 'choice': {
        const sel = h('select', { class: 'input', 'aria-label': field.label });
        const choices = [...(field.optional ? [''] : []), ...(field.choices ?? [])];
        sel.append(...choices.map((c) => h('option', { value: c }, c || '—')));
        sel.value = typeof saved === 'string' && choices.includes(saved) ? saved : (choices[0] ?? '');
        input = sel;
        break;
      }
      case 'multiline':
      case 'json':
        input = h('textarea', {
          ...attrs,
          rows: field.kind === 'json' ? 2 : 4,
          class: `input editor${field.kind === 'json' ? ' json' : ''}`,
        });
        input.value = typeof saved === 'string' ? saved : '';
        break;
      default:
        input = h('input', { ...attrs, type: field.kind === 'number' ? 'number' : 'text' });
        input.value = typeof saved === 'string' ? saved : '';
    }
    const save = () => {
      this.drafts[this.key] ??= {};
      this.drafts[this.key][field.name] = input instanceof HTMLInputElement && input.type === 'checkbox' ? input.checked : input.value;
      if (field.kind === 'json') {
        const bad = input.value.trim() ? validateJson(input.value) : undefined;
        input.setAttribute('aria-invalid', String(!!bad));
        input.title = bad ? `Not valid JSON: ${bad}` : '';
      }
      this.changed();
    };
    input.addEventListener('input', save);
    input.addEventListener('change', save);
    input.addEventListener('keydown', (e) => {
      const k = e as KeyboardEvent;
      if (k.key === 'Enter' && (k.ctrlKey || k.metaKey)) {
        k.preventDefault();
        this.submit();
      }
    });
    return input;
  }
}
