/**
 * What the frames of each incoming WebSocket message were: `ws` hands over a message reassembled from
 * its continuation frames and inflated (permessage-deflate), and says nothing of its frames. This reads
 * the frame headers (RFC 6455 §5.2) from the same bytes, on the open socket ahead of `ws`, skipping
 * every payload unread, and tells for each data message in turn how many frames it came in, whether
 * its first frame had RSV1 (compressed, RFC 7692 §6) and its payload bytes on the wire. Control frames
 * (which may come between fragments) are passed over. Cheap: a few bytes looked at per frame.
 */

/** The frames of one message, when there is something to say: several, or compressed. */
export interface FrameFacts {
  /** Frames it came in: the first and its continuation frames. */
  fragments: number;
  /** Its first frame had RSV1 set: the payload was deflated. */
  compressed: boolean;
  /** Payload bytes on the wire, over all its frames. */
  wireSize: number;
}

/** Longest frame header: 2 bytes, 8 of extended length, 4 of mask. */
const MAX_HEADER = 14;

export class FrameReader {
  private readonly header = Buffer.alloc(MAX_HEADER);
  private have = 0;
  /** Payload bytes of the current frame still to pass over. */
  private skip = 0;
  private fragments = 0;
  private compressed = false;
  private wire = 0;
  /** Data messages whose last frame was read. */
  private completed = 0;
  /** Messages handed over by `next`. */
  private delivered = 0;
  /** The notable messages read and not yet handed over, by their place among the data messages. */
  private readonly notable: { ordinal: number; facts: FrameFacts }[] = [];
  /** A frame the protocol does not allow (`ws` fails the connection): nothing more is read. */
  private broken = false;

  /** The socket's next bytes, in order. */
  feed(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n && !this.broken) {
      if (this.skip > 0) {
        const take = Math.min(this.skip, n - i);
        this.skip -= take;
        i += take;
        continue;
      }
      this.header[this.have++] = chunk[i++];
      if (this.have < 2) {
        continue;
      }
      const b1 = this.header[1];
      const len7 = b1 & 0x7f;
      const need = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
      if (this.have < need) {
        continue;
      }
      const len = len7 === 126 ? this.header.readUInt16BE(2) : len7 === 127 ? Number(this.header.readBigUInt64BE(2)) : len7;
      this.have = 0;
      this.skip = len;
      this.frame(this.header[0], len);
    }
  }

  /** The frames of the next message `ws` delivers, or undefined when it came whole in one plain frame. */
  next(): FrameFacts | undefined {
    this.delivered++;
    const head = this.notable[0];
    if (head && head.ordinal === this.delivered) {
      this.notable.shift();
      return head.facts;
    }
    return undefined;
  }

  private frame(b0: number, len: number): void {
    const opcode = b0 & 0x0f;
    if (opcode >= 0x8) {
      return;
    }
    if (opcode === 0x1 || opcode === 0x2) {
      this.fragments = 1;
      this.compressed = (b0 & 0x40) !== 0;
      this.wire = len;
    } else if (opcode === 0x0 && this.fragments > 0) {
      this.fragments++;
      this.wire += len;
    } else {
      this.broken = true;
      return;
    }
    if (b0 & 0x80) {
      this.completed++;
      if (this.fragments > 1 || this.compressed) {
        this.notable.push({
          ordinal: this.completed,
          facts: { fragments: this.fragments, compressed: this.compressed, wireSize: this.wire },
        });
      }
      this.fragments = 0;
    }
  }
}
