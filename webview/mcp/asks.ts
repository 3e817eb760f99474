/**
 * The MCP server's requests to the client (sampling, elicitation, roots) as cards at the top of the MCP
 * view: what the server asks (its parameters as JSON text), an answer to edit (a template for the
 * method), **Answer** and **Decline**. Unanswered, the host answers "not supported by this client"
 * after its timeout and the card goes. Everything shown came from the server: text only.
 */
import type { McpAskMessage } from '../../src/protocol';
import { button, h } from '../dom';
import { validateJson } from '../format/json';

export interface McpAnswer {
  result?: unknown;
  error?: { code: number; message: string };
}

/** A starting answer the user edits: the shape the method's result has. */
function template(method: string): unknown {
  switch (method) {
    case 'sampling/createMessage':
      return { role: 'assistant', content: { type: 'text', text: '' }, model: 'realtime-inspector (typed by hand)', stopReason: 'endTurn' };
    case 'elicitation/create':
      return { action: 'accept', content: {} };
    case 'roots/list':
      return { roots: [] };
    default:
      return {};
  }
}

/** How a decline reads to the server: elicitation has its own `decline` action, the rest an error. */
function decline(method: string): McpAnswer {
  return method === 'elicitation/create'
    ? { result: { action: 'decline' } }
    : { error: { code: -1, message: `The user declined ${method}` } };
}

export class McpAsks {
  readonly el = h('div', { class: 'mcp-asks', 'aria-label': "The server's requests" });
  private readonly cards = new Map<number, HTMLElement>();

  constructor(private readonly answer: (id: number, answer: McpAnswer) => void) {
    this.el.hidden = true;
  }

  show(msg: McpAskMessage): void {
    if (msg.settled) {
      this.remove(msg.id);
      return;
    }
    if (this.cards.has(msg.id)) {
      return;
    }
    const editor = h('textarea', { class: 'input editor json', rows: 5, spellcheck: 'false', 'aria-label': `Answer to ${msg.method}` });
    editor.value = JSON.stringify(template(msg.method), null, 2);
    const problem = h('div', { class: 'mcp-problem', role: 'alert' });
    const send = (answer: McpAnswer) => {
      this.answer(msg.id, answer);
      this.remove(msg.id);
    };
    const card = h(
      'section',
      { class: 'mcp-ask', 'data-id': String(msg.id) },
      h('h3', { class: 'mcp-heading' }, `The server asks: ${msg.method}`),
      h('pre', { class: 'mcp-ask-params' }, JSON.stringify(msg.params ?? {}, null, 2)),
      editor,
      problem,
      h(
        'div',
        { class: 'mcp-actions' },
        button({
          label: 'Answer',
          text: true,
          variant: 'primary',
          onClick: () => {
            const bad = validateJson(editor.value);
            problem.textContent = bad ? `Not valid JSON: ${bad}` : '';
            if (!bad) {
              send({ result: JSON.parse(editor.value) as unknown });
            }
          },
        }),
        button({ label: 'Decline', text: true, onClick: () => send(decline(msg.method)) }),
      ),
    );
    this.cards.set(msg.id, card);
    this.el.append(card);
    this.el.hidden = false;
  }

  /** Every card away (a new session). */
  clear(): void {
    for (const id of [...this.cards.keys()]) {
      this.remove(id);
    }
  }

  private remove(id: number): void {
    this.cards.get(id)?.remove();
    this.cards.delete(id);
    this.el.hidden = this.cards.size === 0;
  }
}
