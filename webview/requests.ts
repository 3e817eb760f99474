/**
 * Requests to the host and their replies: `request` posts a message with a fresh `requestId` and
 * returns a promise of the host's reply, which carries the same id (src/protocol.ts `RepliesTo`).
 */
import type { FromWebviewMessage, HostReply, RepliesTo, RequestBody, WebviewRequest } from '../src/protocol';

export class HostRequests {
  private lastId = 0;
  /** Requests waiting for their reply: requestId → what settles the promise. */
  private readonly waiting = new Map<number, (reply: HostReply) => void>();

  constructor(private readonly post: (msg: FromWebviewMessage) => void) {}

  /** Sends a request; resolves with the host's reply to it. */
  request<T extends WebviewRequest['type']>(type: T, body: RequestBody<T>): Promise<RepliesTo[T]> {
    const requestId = ++this.lastId;
    return new Promise<RepliesTo[T]>((resolve) => {
      this.waiting.set(requestId, resolve as (reply: HostReply) => void);
      this.post({ ...body, type, requestId } as WebviewRequest);
    });
  }

  /** Hands a reply to the request it answers; false when no request of this page waits for it. */
  settle(reply: HostReply): boolean {
    const resolve = this.waiting.get(reply.requestId);
    if (!resolve) {
      return false;
    }
    this.waiting.delete(reply.requestId);
    resolve(reply);
    return true;
  }
}
