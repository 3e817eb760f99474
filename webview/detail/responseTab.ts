/**
 * The Response tab: a model's answer as the LLM lens (`src/core/llm/`, the same one the connection
 * runs) joins it from the log's records: the figures in a strip, the reasoning apart, the text growing
 * as it streams, the tool calls as JSON. Everything the server sent goes in as text nodes (never HTML
 * nor Markdown). Clicking in the text or the reasoning selects the event that brought that character.
 */
import { llmFigures } from '../../src/core/derivedText';
import { LlmLens } from '../../src/core/llm/lens';
import type { JoinedText, LlmResponse } from '../../src/core/llm/response';
import type { ConnRecord, LlmRecord } from '../../src/protocol';
import { h } from '../dom';
import { clipText, tabPanel } from './parts';

export interface ResponseTabHost {
  /** Selects and reveals the record `seq` in the log. */
  reveal(seq: number): void;
}

export class ResponseTab {
  readonly el: HTMLElement;
  private lens = new LlmLens();
  /** The last response that ended (its record as the lens made it), shown until the next one begins. */
  private last: Omit<LlmRecord, 'seq' | 'time'> | undefined;
  private lastText: JoinedText | undefined;
  private lastReasoning: JoinedText | undefined;
  private readonly strip = h('div', { class: 'response-figures', 'aria-live': 'polite' });
  private readonly reasoning = h('pre', { class: 'response-reasoning', title: 'Reasoning (click a word to select its event)' });
  private readonly text = h('pre', { class: 'response-text', title: 'Click a word to select the event that brought it' });
  private readonly tools = h('div', { class: 'response-tools' });
  private readonly empty = h(
    'p',
    { class: 'response-empty' },
    'No model response in this stream yet (OpenAI, Anthropic or Gemini events).',
  );
  private dirty = false;
  private visible = false;
  /** Set once a response was seen: the tab's button shows. */
  onDidFind: (() => void) | undefined;

  constructor(private readonly host: ResponseTabHost) {
    this.el = tabPanel('response');
    this.el.classList.add('response-tab');
    this.el.append(this.empty, this.strip, this.reasoning, this.text, this.tools);
    this.text.addEventListener('click', () => this.clicked(this.text, false));
    this.reasoning.addEventListener('click', () => this.clicked(this.reasoning, true));
    this.render();
  }

  /** Records added to the log, in order. */
  append(records: readonly ConnRecord[]): void {
    const before = this.lens.provider;
    for (const r of records) {
      if (r.kind === 'llm' || r.kind === 'continuity' || r.kind === 'silence') {
        continue;
      }
      const open = this.lens.current;
      const ended = this.lens.observe(r);
      if (ended.length) {
        this.last = ended[ended.length - 1];
        this.lastText = open?.text;
        this.lastReasoning = open?.reasoning;
      }
      this.dirty ||= ended.length > 0 || this.lens.current !== undefined;
    }
    if (before === undefined && this.lens.provider !== undefined) {
      this.onDidFind?.();
    }
    if (this.visible && this.dirty) {
      this.render();
    }
  }

  /** The log was replaced or cleared: joins again from `records`. */
  reset(records: readonly ConnRecord[]): void {
    this.lens = new LlmLens();
    this.last = this.lastText = this.lastReasoning = undefined;
    this.dirty = true;
    this.append(records);
    this.render();
  }

  get hasResponse(): boolean {
    return this.lens.provider !== undefined;
  }

  show(): void {
    this.visible = true;
    this.render();
  }

  hide(): void {
    this.visible = false;
  }

  private shown():
    { record: Omit<LlmRecord, 'seq' | 'time'>; text: JoinedText | undefined; reasoning: JoinedText | undefined } | undefined {
    const cur: LlmResponse | undefined = this.lens.current;
    if (cur) {
      return { record: { ...cur.toRecord(), complete: false, incomplete: 'streaming…' }, text: cur.text, reasoning: cur.reasoning };
    }
    return this.last ? { record: this.last, text: this.lastText, reasoning: this.lastReasoning } : undefined;
  }

  private render(): void {
    this.dirty = false;
    const s = this.shown();
    this.empty.hidden = s !== undefined;
    this.strip.hidden = this.text.hidden = s === undefined;
    if (!s) {
      this.reasoning.hidden = true;
      this.tools.replaceChildren();
      return;
    }
    const r = s.record;
    const streaming = r.incomplete === 'streaming…';
    this.strip.classList.toggle('warn', !r.complete && !streaming);
    this.strip.textContent = streaming ? `${llmFigures({ ...r, complete: true })} · streaming…` : llmFigures(r);
    this.reasoning.hidden = !r.reasoning;
    this.reasoning.textContent = clipText(r.reasoning ?? '').text;
    this.text.textContent = clipText(r.text).text;
    this.tools.replaceChildren(
      ...r.toolCalls.map((c) =>
        h(
          'div',
          { class: 'response-tool' },
          h(
            'div',
            { class: 'response-tool-name' },
            `${c.name}${c.id ? ` (${c.id})` : ''}${c.argumentsError ? ` — ${c.argumentsError}` : ''}`,
          ),
          h('pre', null, typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments, null, 2)),
        ),
      ),
    );
  }

  /** A click in one of the texts: the event that brought the character under the caret. */
  private clicked(pre: HTMLElement, reasoning: boolean): void {
    const sel = window.getSelection();
    if (!sel || !sel.anchorNode || !pre.contains(sel.anchorNode)) {
      return;
    }
    const offset = sel.anchorOffset;
    const s = this.shown();
    const joined = reasoning ? s?.reasoning : s?.text;
    const seq = joined?.seqAt(offset);
    if (seq !== undefined) {
      this.host.reveal(seq);
    }
  }
}
