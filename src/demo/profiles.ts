/**
 * The profiles of the demo workspace (`npm start` writes them to its `.vscode/settings.json`), each
 * with a stream contract that holds against the demo server, so `realtime-inspector run` and the
 * panel's checks have something to show at once.
 */
import type { Profile } from '../core/profile';

/** The demo workspace's profiles for the demo server at `demoUrl` (`http://127.0.0.1:PORT`). */
export function demoProfiles(demoUrl: string): Profile[] {
  const ws = demoUrl.replace(/^http/, 'ws');
  return [
    {
      name: 'Demo: SSE ticker',
      url: `${demoUrl}/sse`,
      kind: 'sse',
      expect: {
        timeoutMs: 5000,
        count: { min: 3 },
        messages: [
          { name: 'first tick', event: 'tick', withinMs: 3000 },
          { name: 'tick n is a number', event: 'tick', json: '$.n', type: 'number' },
        ],
        never: [{ name: 'no error message', data: '/error/i' }],
        noErrors: true,
      },
    },
    { name: 'Demo: SSE once (reconnects)', url: `${demoUrl}/sse/once`, kind: 'sse' },
    {
      name: 'Demo: LLM stream (POST)',
      url: `${demoUrl}/sse/llm`,
      kind: 'sse',
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"prompt": "Explain Server-Sent Events in one paragraph"}',
      expect: {
        timeoutMs: 10000,
        messages: [
          { name: 'first token', json: '$.choices[0].delta.content', type: 'string', withinMs: 3000 },
          { name: 'done', data: '[DONE]' },
        ],
        order: true,
        close: { ended: true },
      },
    },
    {
      name: 'Demo: LLM stream, Anthropic-style (POST)',
      url: `${demoUrl}/sse/llm/anthropic`,
      kind: 'sse',
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"prompt": "What are Server-Sent Events?"}',
      expect: {
        timeoutMs: 10000,
        messages: [
          { name: 'message starts', event: 'message_start', withinMs: 3000 },
          { name: 'message stops', event: 'message_stop' },
        ],
        order: true,
        close: { ended: true },
      },
    },
    {
      name: 'Demo: WebSocket echo',
      url: `${ws}/ws/echo`,
      kind: 'ws',
      send: [{ json: { type: 'greeting', text: 'hello from the demo' } }],
      expect: {
        timeoutMs: 3000,
        messages: [
          { name: 'greeting sent', dir: 'out', json: '$.type', equals: 'greeting' },
          { name: 'greeting echoed', json: '$.text', equals: 'hello from the demo', withinMs: 2000 },
        ],
        order: true,
        noErrors: true,
      },
    },
    {
      // The environment `demo` (below) fills {{host}}; the saved messages are in the send box's picker.
      name: 'Demo: WebSocket echo (environment)',
      url: 'ws://{{host}}/ws/echo',
      kind: 'ws',
      messages: [
        { name: 'hello', format: 'text', body: 'hello #{{$seq}} from {{user}}' },
        { name: 'subscribe', format: 'json', body: '{"op":"subscribe","channel":"{{channel}}","id":"{{$uuid}}","at":{{$timestamp}}}' },
        { name: 'random number', format: 'json', body: '{"n":{{$randomInt 1 100}},"at":"{{$isoTimestamp}}"}' },
        { name: 'three bytes', format: 'binary', body: 'AAEC' },
      ],
    },
    {
      // The Socket.IO URL as people know it: the adapter dials /socket.io/ and answers the pings.
      name: 'Demo: Socket.IO',
      url: demoUrl,
      adapter: { name: 'socket.io', options: { ack: true } },
      messages: [
        { name: 'chat', verb: 'emit', fields: { event: 'chat', args: [{ text: 'hello #{{$seq}}' }], ack: true } },
        {
          name: 'echo (acked)',
          verb: 'emit',
          fields: { event: 'echo', args: [{ n: '{{$randomInt 1 100}}', at: '{{$isoTimestamp}}' }], ack: true },
        },
      ],
      expect: {
        timeoutMs: 5000,
        messages: [
          { name: 'welcome', data: '42["welcome"', withinMs: 2000 },
          { name: 'tick', data: '42["tick"', withinMs: 4000 },
        ],
        order: true,
        noErrors: true,
      },
    },
    {
      name: 'Demo: GraphQL countdown',
      url: `${ws}/graphql`,
      adapter: { name: 'graphql-ws', options: { query: 'subscription { countdown(from: 3) }' } },
      messages: [
        {
          name: 'ticks',
          verb: 'subscribe',
          fields: { query: 'subscription ($n: Int) { ticks(limit: $n) { n value time } }', variables: { n: 5 } },
        },
        { name: 'hello query', verb: 'subscribe', fields: { query: 'query { hello(name: "demo") time }' } },
      ],
      expect: {
        timeoutMs: 8000,
        messages: [
          { name: 'connection acknowledged', json: '$.type', equals: 'connection_ack', withinMs: 2000 },
          { name: 'counts to 0', json: '$.payload.data.countdown', equals: 0, withinMs: 7000 },
          { name: 'completes', json: '$.type', equals: 'complete', withinMs: 7000 },
        ],
        order: true,
        noErrors: true,
      },
    },
    {
      name: 'Demo: WebSocket ticker',
      url: `${ws}/ws/ticker`,
      kind: 'ws',
      expect: {
        timeoutMs: 4000,
        messages: [
          { name: 'hello', json: '$.type', equals: 'hello', withinMs: 2000 },
          { name: 'tick', json: '$.type', equals: 'tick', withinMs: 3000 },
        ],
        order: true,
        never: [{ name: 'no binary frame', format: 'binary' }],
      },
    },
    // Opens the panel's MCP view: the demo's tools, resources and prompts.
    { name: 'Demo: MCP server', url: `${demoUrl}/mcp`, kind: 'mcp' },
  ];
}

/** The demo workspace's environments: `demo` points `{{host}}` at the demo server. */
export function demoEnvironments(demoUrl: string): Record<string, Record<string, string>> {
  return {
    demo: { host: new URL(demoUrl).host, user: 'demo user', channel: 'ticks' },
    'demo (other channel)': { host: new URL(demoUrl).host, user: 'second user', channel: 'news' },
  };
}

/** The demo workspace's `.vscode/settings.json`, as `npm start` writes it. */
export function demoSettings(demoUrl: string): Record<string, unknown> {
  return { 'realtimeInspector.environments': demoEnvironments(demoUrl), 'realtimeInspector.profiles': demoProfiles(demoUrl) };
}
