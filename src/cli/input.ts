/**
 * `-i`: the lines of stdin, each one a message to send. On a terminal (stdin and stdout both TTYs)
 * with a `> ` prompt and line editing; records printed meanwhile go above the prompt: the prompt
 * line is cleared, the records written, and the prompt redrawn with what was typed so far.
 */
import * as readline from 'node:readline';
import { Writable } from 'node:stream';

export const PROMPT = '> ';

export interface LineInputHandlers {
  line(text: string): void;
  /** The input ended (EOF, Ctrl+D on an empty line). Not called after {@link LineInput.stop}. */
  end(): void;
  /** Ctrl+C at the prompt (the terminal is in raw mode, so no SIGINT reaches the process). */
  interrupt(): void;
}

export class LineInput {
  private readonly rl: readline.Interface;
  private readonly prompting: boolean;
  private promptShown = false;
  private closed = false;
  private stopped = false;
  /**
   * Where records are written: stdout itself, or on a prompt terminal a stream that lifts the
   * prompt out of the way around each write.
   */
  readonly output: Writable;

  constructor(
    input: NodeJS.ReadableStream & { isTTY?: boolean },
    private readonly stdout: Writable & { isTTY?: boolean },
    handlers: LineInputHandlers,
  ) {
    this.prompting = !!input.isTTY && !!stdout.isTTY;
    this.rl = this.prompting
      ? readline.createInterface({ input, output: stdout, terminal: true, prompt: PROMPT, historySize: 200 })
      : readline.createInterface({ input, terminal: false, crlfDelay: Infinity });
    this.output = this.prompting
      ? new AbovePrompt(
          stdout,
          () => this.lift(),
          () => this.redraw(),
        )
      : stdout;
    this.rl.on('line', (text: string) => {
      if (this.stopped) {
        return;
      }
      handlers.line(text);
      if (this.prompting && !this.closed && !this.stopped) {
        // Enter left the typed line on the screen; a fresh prompt goes below it.
        this.rl.prompt();
      }
    });
    this.rl.on('close', () => {
      this.lift();
      this.closed = true;
      this.promptShown = false;
      if (!this.stopped) {
        handlers.end();
      }
    });
    if (this.prompting) {
      this.rl.on('SIGINT', () => handlers.interrupt());
      this.rl.prompt();
      this.promptShown = true;
    }
  }

  /** Back-pressure: no more lines for now (a few already read may still arrive). */
  pause(): void {
    if (!this.closed) {
      this.rl.pause();
    }
  }

  resume(): void {
    if (!this.closed) {
      this.rl.resume();
    }
  }

  /** No more lines: the prompt goes away (the terminal leaves raw mode). */
  stop(): void {
    if (this.stopped) {
      return;
    }
    this.stopped = true;
    if (!this.closed) {
      this.rl.close();
    }
  }

  /** Clears the prompt and the typed text (however many rows they wrap over); the cursor ends at column 0. */
  private lift(): void {
    if (!this.promptShown) {
      return;
    }
    const rows = this.rl.getCursorPos().rows;
    if (rows > 0) {
      readline.moveCursor(this.stdout, 0, -rows);
    }
    readline.cursorTo(this.stdout, 0);
    readline.clearScreenDown(this.stdout);
  }

  /** Draws the prompt and the typed text again where the cursor is, the cursor where it was in the text. */
  private redraw(): void {
    if (!this.promptShown || this.closed || this.stopped) {
      return;
    }
    // readline moves up by the rows its last drawing took before drawing again; the prompt now
    // starts on a fresh line, so there is nothing above to move over.
    (this.rl as unknown as { prevRows: number }).prevRows = 0;
    this.rl.prompt(true);
  }
}

/** Writes to `out` with the prompt lifted before and redrawn after each chunk. */
class AbovePrompt extends Writable {
  constructor(
    private readonly out: Writable,
    private readonly before: () => void,
    private readonly after: () => void,
  ) {
    super({ decodeStrings: false });
    out.on('error', (err: Error) => this.destroy(err));
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (chunk.length === 0) {
      callback();
      return;
    }
    this.before();
    const ok = this.out.write(chunk);
    this.after();
    if (ok) {
      callback();
    } else {
      this.out.once('drain', () => callback());
    }
  }
}
