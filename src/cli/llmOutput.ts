/**
 * Readable output of a model's stream: instead of one line per event, the answer's text as it
 * arrives (its reasoning first, dimmed), then one line of figures when the response ends (the `llm`
 * record). Everything the server sent is escaped as on every other line; line breaks stay breaks.
 */
import type { LlmLens } from '../core/llm/lens';
import { llmFigures } from '../core/derivedText';
import type { ConnRecord, LlmRecord } from '../core/records';
import { escapeRaw, paint, type Style } from './format';

export class LlmPrinter {
  private textShown = 0;
  private reasoningShown = 0;
  private inReasoning = false;
  /** The last thing written left the cursor mid-line. */
  private midLine = false;

  constructor(
    private readonly lens: () => LlmLens,
    private readonly style: Style,
  ) {}

  /**
   * For a record about to be printed: what to write instead of its usual line (the text it added),
   * or undefined to write the line as usual (after {@link lineBreak}).
   */
  instead(r: ConnRecord): string | undefined {
    if (r.kind === 'llm') {
      return this.end(r);
    }
    const lens = this.lens();
    if (r.kind !== 'message' || r.dir !== 'in' || lens.provider === undefined) {
      return undefined;
    }
    const cur = lens.current;
    if (!cur || cur.lastSeq !== r.seq) {
      // An event the lens did not take into a response (or that ended one: its record follows).
      return cur || lens.responses > 0 ? '' : undefined;
    }
    return this.grow(cur.reasoning.length ? cur.reasoning.text : '', cur.text.length ? cur.text.text : '');
  }

  /** What to write before a usual line: a line break when the text left the cursor mid-line. */
  lineBreak(): string {
    if (!this.midLine) {
      return '';
    }
    this.midLine = false;
    return '\n';
  }

  private grow(reasoning: string, text: string): string {
    let out = '';
    if (reasoning.length > this.reasoningShown) {
      if (this.reasoningShown === 0) {
        out += this.lineBreak() + paint(this.style, 'grey', 'reasoning: ');
        this.inReasoning = true;
      }
      out += paint(this.style, 'grey', escapeRaw(reasoning.slice(this.reasoningShown)));
      this.reasoningShown = reasoning.length;
    }
    if (text.length > this.textShown) {
      if (this.inReasoning) {
        out += '\n';
        this.inReasoning = false;
      }
      out += escapeRaw(text.slice(this.textShown));
      this.textShown = text.length;
    }
    if (out) {
      this.midLine = !out.endsWith('\n');
    }
    return out;
  }

  private end(r: LlmRecord): string {
    let out = this.grow(r.reasoning ?? '', r.text);
    for (const call of r.toolCalls) {
      out += this.lineBreak() || (out && !out.endsWith('\n') ? '\n' : '');
      const args = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
      out += `${paint(this.style, 'magenta', 'tool call')} ${escapeRaw(call.name)}(${escapeRaw(args)})${call.argumentsError ? paint(this.style, 'yellow', ` (${call.argumentsError})`) : ''}\n`;
    }
    out += (out && !out.endsWith('\n') ? '\n' : '') + this.figures(r);
    this.textShown = 0;
    this.reasoningShown = 0;
    this.inReasoning = false;
    this.midLine = false;
    return out + '\n';
  }

  private figures(r: LlmRecord): string {
    return paint(this.style, r.complete ? 'green' : 'yellow', `◆ ${escapeRaw(llmFigures(r))}`);
  }
}
