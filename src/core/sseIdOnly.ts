// Kept rather than eventsource-parser 4.1's `onId`: 4.x ships ESM only and declares Node >= 22.12 (for
// require(esm)); we support Node 20 (VS Code 1.90: 20.9), and a library's stated support is part of its keeping.
/**
 * The spec's dispatch step 1 — "Set the last event ID string of the event source to the value of the
 * last event ID buffer" — comes before step 2 — "If the data buffer is an empty string, … return" —
 * so a block with an `id` and no `data` (`id: 7` + blank line) moves the last event ID without an
 * event. eventsource-parser reports nothing for such a block. This scans the same text for them:
 * line starts only, the way the parser classifies lines ("data" / "id" fields, blank lines), and
 * remembers after how many dispatched events each one came.
 */
export class IdOnlyBlocks {
  /** The unfinished last line of the previous text: whole when it may be an `id` line, else its first 8 chars. */
  private carry = '';
  /** Full length of that unfinished line. */
  private carryLen = 0;
  private hasData = false;
  private id: string | undefined;
  private dispatched = 0;
  private readonly updates: { at: number; id: string }[] = [];

  get pending(): boolean {
    return this.updates.length > 0;
  }

  /** The id of the latest id-only block that came after at most `events` events, if any (and forgets them). */
  take(events: number): string | undefined {
    let id: string | undefined;
    let n = 0;
    while (n < this.updates.length && this.updates[n].at <= events) {
      id = this.updates[n].id;
      n++;
    }
    if (n > 0) {
      this.updates.splice(0, n);
    }
    return id;
  }

  /** `text` never ends in a lone CR (the caller completes it to CRLF). Hot path: locals and char codes only. */
  scan(text: string): void {
    const noCr = text.indexOf('\r') === -1;
    // Without a NUL in the text every id is valid, and the value of an `id` line is cut from the text
    // only if its block turns out to be id-only: [idFrom, idTo) stands for it meanwhile.
    const noNul = text.indexOf('\0') === -1;
    let hasData = this.hasData;
    let id = this.id;
    let idFrom = -1;
    let idTo = -1;
    let start = 0;
    for (;;) {
      let end: number;
      let next: number;
      if (noCr) {
        end = text.indexOf('\n', start);
        next = end + 1;
      } else {
        const lf = text.indexOf('\n', start);
        const cr = text.indexOf('\r', start);
        if (cr !== -1 && (lf === -1 || cr < lf)) {
          end = cr;
          next = text.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
        } else {
          end = lf;
          next = lf + 1;
        }
      }
      if (end === -1) {
        this.keep(text, start);
        break;
      }
      if (this.carryLen > 0) {
        // The first line began in the previous text.
        const idLike = isIdLike(this.carry);
        const line = idLike ? this.carry + text.slice(start, end) : (this.carry + text.slice(start, Math.min(end, start + 8))).slice(0, 8);
        const fullLen = this.carryLen + end - start;
        this.carry = '';
        this.carryLen = 0;
        if (fullLen === 4 ? line === 'data' : line.startsWith('data:')) {
          hasData = true;
        } else if (idLike && (line === 'id' || line.startsWith('id:'))) {
          idFrom = -1;
          const value = line.slice(line.charCodeAt(3) === 32 ? 4 : 3);
          if (!value.includes('\0')) {
            id = value;
          }
        }
      } else if (end === start) {
        // A blank line: the parser dispatches the block if it had data.
        if (hasData) {
          this.dispatched++;
        } else if (idFrom >= 0) {
          this.updates.push({ at: this.dispatched, id: text.slice(idFrom, idTo) });
        } else if (id !== undefined) {
          this.updates.push({ at: this.dispatched, id });
        }
        hasData = false;
        id = undefined;
        idFrom = -1;
      } else {
        const c = text.charCodeAt(start);
        if (c === 100 /* d */) {
          if (
            text.charCodeAt(start + 1) === 97 &&
            text.charCodeAt(start + 2) === 116 &&
            text.charCodeAt(start + 3) === 97 &&
            (end === start + 4 || text.charCodeAt(start + 4) === 58)
          ) {
            hasData = true;
          }
        } else if (c === 105 /* i */ && text.charCodeAt(start + 1) === 100) {
          if (end === start + 2) {
            id = '';
            idFrom = -1;
          } else if (text.charCodeAt(start + 2) === 58) {
            const from = text.charCodeAt(start + 3) === 32 ? start + 4 : start + 3;
            if (noNul) {
              idFrom = from;
              idTo = end;
            } else {
              const value = text.slice(from, end);
              if (value.indexOf('\0') === -1) {
                id = value;
                idFrom = -1;
              }
            }
          }
        }
      }
      start = next;
    }
    this.hasData = hasData;
    this.id = idFrom >= 0 ? text.slice(idFrom, idTo) : id;
  }

  /** Remembers the unfinished last line: all of it when it may be an `id` line, else its start (bounded). */
  private keep(text: string, start: number): void {
    if (start >= text.length) {
      return;
    }
    const head = this.carry + text.slice(start, start + 8);
    this.carry = isIdLike(head) ? this.carry + text.slice(start) : head.slice(0, 8);
    this.carryLen += text.length - start;
  }
}

function isIdLike(s: string): boolean {
  return s.charCodeAt(0) === 105 && (s.length < 2 || s.charCodeAt(1) === 100);
}
