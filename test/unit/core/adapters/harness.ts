/**
 * Runs one `AdapterAttempt` over a real `ws` WebSocket to a real server, as the WebSocket transport
 * will: the adapter's subprotocols in the upgrade, `opened()` after it, `receive()` per frame, the
 * host's sends written to the socket. Everything the attempt did is kept for the test to read, and
 * `waitFor` resolves when a condition holds (no clocks: the test runner's timeout is the only bound).
 */
import WebSocket from 'ws';
import type { Adapter, AdapterAttempt, AdapterHost, AdapterSend, Decoded, InboundFrame } from '../../../../src/core/adapters/adapter';
import { FrameReading } from '../../../../src/core/adapters/lazyDecoded';
import type { IDisposable } from '../../../../src/core/lifecycle';

export interface Sent {
  format: 'text' | 'binary';
  text?: string;
  bytes?: Uint8Array;
  decoded: Decoded;
}

export class AdapterHarness implements AdapterHost {
  readonly received: Decoded[] = [];
  /** Raw inbound frames, in order (text as text, binary as bytes). */
  readonly frames: (string | Buffer)[] = [];
  readonly sent: Sent[] = [];
  readonly notes: string[] = [];
  failure?: { message: string; retry: boolean; closeCode?: number };
  doneReason?: string;
  isReady = false;
  closed?: { code: number; reason: string };
  protocol = '';
  attempt!: AdapterAttempt;
  private socket!: WebSocket;
  private readonly timers = new Set<{ dispose(): void }>();
  private readonly waiters = new Set<() => void>();
  private over = false;

  /** What the attempt reads `frame` as, each message's reading made (from the frame, for a type's shared reading). */
  decode(frame: InboundFrame): Decoded[] {
    return this.attempt.receive(frame).map((d) => (d instanceof FrameReading ? d.read(frame.bytes) : d));
  }

  /** Connects to `url` (after the adapter's `preconnect`, if it has one) and opens the attempt. */
  static async open<O>(adapter: Adapter<O>, rawOptions: Record<string, unknown>, url: string): Promise<AdapterHarness> {
    const h = new AdapterHarness();
    const options = adapter.options(rawOptions);
    let target = adapter.target ? adapter.target(url, options) : url;
    if (adapter.preconnect) {
      const ac = new AbortController();
      target = await adapter.preconnect(target, options, { headers: {}, signal: ac.signal, timeoutMs: 30_000 });
    }
    h.attempt = adapter.begin(h, options);
    h.socket = new WebSocket(target, [...adapter.subprotocols]);
    h.socket.on('open', () => {
      h.protocol = h.socket.protocol;
      h.attempt.opened({ protocol: h.socket.protocol });
      h.changed();
    });
    h.socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (h.over) {
        return;
      }
      const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(data as unknown as Buffer[]);
      h.frames.push(isBinary ? Buffer.from(bytes) : bytes.toString('utf8'));
      h.received.push(...h.decode({ format: isBinary ? 'binary' : 'text', bytes }));
      h.changed();
    });
    h.socket.on('close', (code, reason) => {
      h.closed = { code, reason: reason.toString() };
      h.end();
    });
    h.socket.on('error', (err) => {
      h.notes.push(`socket error: ${err.message}`);
      h.changed();
    });
    return h;
  }

  sendText(text: string, decoded: Decoded): void {
    if (this.over) {
      return;
    }
    this.sent.push({ format: 'text', text, decoded });
    this.socket.send(text);
    this.changed();
  }

  sendBinary(bytes: Uint8Array, decoded: Decoded): void {
    if (this.over) {
      return;
    }
    this.sent.push({ format: 'binary', bytes: Uint8Array.from(bytes), decoded });
    this.socket.send(bytes, { binary: true });
    this.changed();
  }

  note(message: string): void {
    this.notes.push(message);
    this.changed();
  }

  ready(): void {
    this.isReady = true;
    this.changed();
  }

  fail(message: string, options: { retry: boolean; closeCode?: number }): void {
    if (this.over) {
      return;
    }
    this.failure = { message, ...options };
    this.socket.close(options.closeCode ?? 1000);
    this.end();
  }

  done(reason: string): void {
    this.doneReason = reason;
    this.changed();
  }

  setTimeout(fn: () => void, ms: number): IDisposable {
    const t = setTimeout(() => {
      this.timers.delete(d);
      fn();
    }, ms);
    const d = { dispose: () => (clearTimeout(t), this.timers.delete(d)) };
    this.timers.add(d);
    return d;
  }

  setInterval(fn: () => void, ms: number): IDisposable {
    const t = setInterval(fn, ms);
    const d = { dispose: () => (clearInterval(t), this.timers.delete(d)) };
    this.timers.add(d);
    return d;
  }

  now(): number {
    return Date.now();
  }

  /** A user send through the adapter's verbs. */
  send(input: AdapterSend): void {
    this.attempt.send(input);
  }

  /** Resolves with the predicate's first truthy value, checked after everything the attempt does. */
  waitFor<T>(predicate: () => T | undefined | false): Promise<T> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const v = predicate();
        if (v) {
          this.waiters.delete(check as () => void);
          resolve(v);
          return true;
        }
        return false;
      };
      if (!check()) {
        this.waiters.add(check as () => void);
      }
    });
  }

  /** The first inbound decoded message matching, once it has arrived. */
  next(match: (d: Decoded) => boolean, from = 0): Promise<Decoded> {
    return this.waitFor(() => this.received.slice(from).find(match));
  }

  /** The user closes: the adapter's goodbye, then the socket; resolves once it is closed. */
  async close(): Promise<void> {
    if (!this.over) {
      this.attempt.closing?.();
      this.socket.close(1000);
    }
    await this.waitFor(() => this.closed ?? this.over);
  }

  dispose(): void {
    this.end();
    this.socket.terminate();
  }

  private end(): void {
    if (!this.over) {
      this.over = true;
      for (const t of [...this.timers]) {
        t.dispose();
      }
      this.attempt.dispose();
    }
    this.changed();
  }

  private changed(): void {
    for (const w of [...this.waiters]) {
      w();
    }
  }
}
