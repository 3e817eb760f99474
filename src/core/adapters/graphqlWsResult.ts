/**
 * A GraphQL result (`next`, or the legacy `data`) as it arrived: its id and label read from the
 * frame's head, the rest parsed when read (see lazyDecoded.ts); and the shared readings the adapter
 * gives for results, which the store keeps in place of a reading per message.
 */
import type { FrameDecoded } from './adapter';
import { idLabel, peekId } from './graphqlWsPeek';
import { type FramePeek, FrameReading, LazyDecoded } from './lazyDecoded';

const PROTOCOL = 'graphql-ws';

/** A result (`next` / `data`) as it arrived: parsed when a field is read. */
export class GraphqlResult extends LazyDecoded {
  constructor(type: 'next' | 'data', frame: Buffer) {
    super(PROTOCOL, type, frame);
  }

  #id: string | undefined;

  /** Read from the frame's head when it is a plain string there (as both servers write it): the log's id and label need no parse. */
  get id(): unknown {
    return (this.#id ??= peekId(this.frame)) ?? this.fields.id;
  }

  get label(): string | undefined {
    const id = (this.#id ??= peekId(this.frame));
    return id === undefined ? super.label : idLabel(id);
  }

  get payload(): unknown {
    return this.fields.payload;
  }

  protected parse(): Record<string, unknown> {
    try {
      const m = JSON.parse(this.frame.toString()) as { id?: unknown; payload?: unknown };
      return { id: m.id, payload: m.payload, label: `#${String(m.id)}` };
    } catch (err) {
      return { error: `not JSON: ${(err as Error).message}` };
    }
  }
}

/** A result's id and label (`#id`) from its head (a batch row's). */
const peekResultHead: FramePeek = (b, from, to, into) => {
  const id = peekId(b, from, to);
  if (id === undefined) {
    return false;
  }
  into.id = id;
  into.label = idLabel(id);
  return true;
};
const NEXT_READING = new FrameReading(PROTOCOL, 'next', (frame) => new GraphqlResult('next', frame), peekResultHead);
const DATA_READING = new FrameReading(PROTOCOL, 'data', (frame) => new GraphqlResult('data', frame), peekResultHead);
/** What `receive` gives for a result: one list per type, given again for every frame. */
export const NEXT_FRAME: readonly FrameDecoded[] = [NEXT_READING];
export const DATA_FRAME: readonly FrameDecoded[] = [DATA_READING];
