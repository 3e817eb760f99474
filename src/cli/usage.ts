import { adapterUsage } from './adapterArgs';

/**
 * The CLI's help texts, as `--help` and `demo --help` print them. Each option of `<url>` is in
 * `OPTIONS` (args.ts); the adapters' flags are listed from what each adapter declares.
 */
export const USAGE = `Usage: realtime-inspector <url> [options]
       realtime-inspector run [NAME...] [--profiles FILE] [--junit FILE] [--json] [--env-file FILE] [--parallel N]
                              [--environment NAME]
       realtime-inspector demo [--port N] [--host H]
       realtime-inspector replay FILE [options]   (see replay --help)
       realtime-inspector mcp URL [options]       (see mcp --help)

Connects to a Server-Sent Events (http:// https://) or WebSocket (ws:// wss://) endpoint and prints
what happens: every event, message, comment, retry, reconnect and error.

Options:
  --sse | --ws                 force the protocol (default: by URL scheme)
  -H, --header "Name: value"   request / upgrade header, repeatable
  -X, --method M               SSE: HTTP method (default GET, POST with --data)
  -d, --data TEXT | @file      SSE: request body
  --last-event-id ID           SSE: Last-Event-ID for the first request
  -p, --protocol NAME          WS: subprotocol to offer, repeatable
  -s, --send TEXT              WS: send a text message after open, repeatable, in order
  --send-binary BASE64         WS: send a binary message after open, repeatable, in order
  --ping[=TEXT]                WS: send a ping after open (payload TEXT, at most 125 bytes),
                               repeatable, in order with --send; a payload needs the "=": a
                               bare --ping never takes the next argument
                               (--send, --send-binary and --ping go again after every reconnect)
  --every MS                   WS: send the --send / --send-binary messages again every MS
                               milliseconds (the first round at open), on a fixed schedule
  --times K                    WS: with --every, K rounds in all (default: until stopped); a
                               reconnect sends them once again, without the repeat
  -i, --interactive            WS: send every line of stdin as a text message, after the --send
                               ones; lines read before the socket opens wait for it. At the end
                               of input the connection stays open (until --count, --timeout,
                               Ctrl+C or the server closes). On by default when stdin is a
                               terminal, with a "> " prompt
  --no-interactive             WS: do not read stdin, also on a terminal
  --close CODE[:REASON]        WS: the close frame sent at the end (default 1000; CODE is 1000
                               or 3000-4999, REASON at most 123 bytes of UTF-8)
  --keepalive MS               WS: send a ping every MS milliseconds while open
  --keepalive-timeout MS       WS: with --keepalive, the connection is dead after MS without a
                               pong (default 10000)
  --deflate | --no-deflate     WS: offer permessage-deflate compression (default: offered)
  --max-payload BYTES          WS: largest message accepted (default 104857600); a larger one
                               closes the connection with 1009
  --connect-timeout MS         connect / handshake / response headers timeout (default 30000)
  --idle-timeout MS            once open, fail when no data arrives for MS milliseconds ("no data
                               for N s"); reconnects under the reconnect policy (SSE with
                               Last-Event-ID). WS: pings and pongs count as data. Default: off
  --lens llm|none              an LLM's stream (OpenAI, Anthropic, Gemini) is told from its events and
                               printed as its text, then a line of figures (TTFT, tokens/s, usage);
                               --json adds an llm record per response. none: never; llm: also
                               WebSocket text (default: auto)
  --silence MS                 mark a silence of more than MS milliseconds between messages
  --allow-downgrade            follow a redirect from https/wss to http/ws (default: an error);
                               credentials are never sent over it
  --no-reconnect               never reconnect
  --max-retries N              reconnect attempts before giving up (default 10)
  --retry-delay MS             first reconnect delay (default 1000; an SSE retry: is the floor)
  --reconnect-on-end           SSE: reconnect after the server ends the stream, whatever the method
  --no-reconnect-on-end        SSE: never reconnect after the server ends the stream
                               (default: only a GET is sent again; a profile's reconnect.onEnd)
  --retry-methods LIST         SSE: methods retried after a network failure (default GET; a
                               profile's reconnect.methods), comma-separated: GET,POST
  --count N                    stop after N incoming messages (SSE events / WS messages; with an
                               adapter its messages, GraphQL its results), exit 0
  --timeout MS                 stop after MS milliseconds, exit 0
  --insecure                   TLS: accept any certificate
  --cacert FILE                TLS: trust the CA certificate(s) in FILE (PEM), too
  --raw                        SSE: print the stream's bytes as received instead of records
                               (status lines go to stderr)
  --json                       one JSON record a line; otherwise readable lines, coloured on a TTY
  --environment NAME           fill {{name}} in the URL, headers, body and --send from environment
                               NAME of "realtimeInspector.environments"; values may be
                               \${env:NAME} or \${secret:NAME} (read from RI_SECRET_NAME, masked)
  --profiles FILE              the settings file --environment reads (default .vscode/settings.json)
  -h, --help                   this help
  -V, --version                the version

${adapterUsage()}

Stopping (--count, --timeout, Ctrl+C / SIGINT, SIGTERM) closes cleanly: a WebSocket sends its
close frame and waits for the server's (at most 5 s), an SSE request is ended; incoming messages
after that are not printed, the closing and closed records are. A second Ctrl+C quits at once.
Readable output shows a retry line when the value changes; --json prints every record.
Dynamic values in --send, resolved at each send: {{$uuid}}, {{$timestamp}} (ms), {{$isoTimestamp}},
{{$randomInt MIN MAX}}, {{$seq}} (1 for the first message sent, counted over reconnects); in the URL
and headers, resolved once. A {{name}} no environment defines is a usage error, never sent.
Proxies: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and NO_PROXY are honoured.
Exit status: 0 ended as asked (count, timeout, server closed with no reconnect due),
             1 the connection failed or ended in error, 2 usage error (also an undefined
             {{variable}} or an unknown --environment).

run: checks the stream contracts (the "expect" blocks) of saved profiles, for CI; see run --help.`;

/** What `run --help` prints. Each option of `run` is in `RUN_OPTIONS` (runArgs.ts). */
export const RUN_USAGE = `Usage: realtime-inspector run [NAME...] [options]

Connects to each profile's endpoint, sends its "send" messages after open, and checks its "expect"
rules (timeoutMs, count, messages, never, close, noErrors, order) on what arrives. NAME picks
profiles by name; without one, every profile that has an "expect" block runs.

Options:
  --profiles FILE    a VS Code settings file (comments and trailing commas allowed) holding
                     "realtimeInspector.profiles", a .code-workspace file, or a JSON array of
                     profiles (default: .vscode/settings.json in the current folder)
  --junit FILE       also write the results as JUnit XML: one testsuite per profile, one
                     testcase per rule (written when rules fail too)
  --json             one JSON record a line: the connections' records, each rule's assertion
                     and each profile's summary (with --parallel, records carry "profile")
  --env-file FILE    read variables from a dotenv file (NAME=value); the environment wins
  --parallel N       run up to N profiles at once (default 1: one after the other); readable
                     lines then start with their profile's name
  --environment NAME fill {{name}} in the profiles from environment NAME of the file's
                     "realtimeInspector.environments" (an undefined one: exit 2)
  -h, --help         this help

\${env:NAME} reads the environment variable NAME; \${secret:NAME} reads RI_SECRET_NAME (NAME upper-
cased, other characters than letters and digits as _), so CI secrets can be passed in. Secrets are
masked in every output. A run does not reconnect unless the profile's reconnect.enabled is true;
when a profile's check is over, its connection is closed cleanly (WebSocket close 1000).
Relative tls.caFile paths start at the workspace folder (the one holding .vscode/) or, for a JSON
file, at the file's folder. Proxies: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and NO_PROXY.
Exit status: 0 every rule of every profile held, 1 a rule failed, 2 usage or profile error (found
             before connecting anything), 3 a stream never opened (3 wins over 1).`;

export const DEMO_USAGE = `Usage: realtime-inspector demo [--port N] [--host H]

Starts the built-in demo server (SSE and WebSocket endpoints) on 127.0.0.1 until interrupted.`;

export const REPLAY_USAGE = `Usage: realtime-inspector replay FILE [--port P] [--host H] [--speed X] [--loop] [--path /p]
                                   [--drop-after N] [--close CODE] [--connection N]

Serves a recorded session back as a local mock, SSE or WebSocket as it was recorded, until Ctrl+C.
FILE is an NDJSON log (as Export and --json write it) or a HAR file saved by Chrome or Firefox
DevTools (its WebSocket frames); which one is read from the content. It prints the URL it serves
(the recorded path on 127.0.0.1) and a line per client. Each client gets its own replay.

SSE: the recorded status and headers (hop-by-hop and credential headers left out), then the events
(event, id, data), retry: fields and comments at their recorded times. A request with Last-Event-ID
resumes after that event.
WebSocket: the recorded subprotocol is accepted; server messages (text, binary) and pings go out at
their recorded times. A client message gets the recorded reply to the same message (the same text,
else the same JSON shape, else the next unanswered one), after the recorded delay.

Options:
  --port P          port to listen on (default 0: any free port)
  --host H          address to listen on (default 127.0.0.1)
  --speed X         time scale: 2 twice as fast, 0.5 half; 0 as fast as the client reads (default 1)
  --loop            start over at the end of the recording
  --path /p         the path served (default: the recorded URL's path)
  --drop-after N    SSE: end each response after N events (a clean end; the client's reconnect with
                    Last-Event-ID resumes after them). WebSocket: cut the TCP connection after N
                    messages (the client sees 1006)
  --close CODE      WebSocket: close with CODE[:REASON] when the recording is done (default: as
                    recorded; when the client closed the recorded connection, it waits for the client)
  --connection N    which connection of a file that holds several (the error lists them)
  -h, --help        this help

Lines of FILE that are not records are skipped and counted in one warning; an NDJSON log is read
as it replays, never whole. Exit status: 0 stopped by Ctrl+C / SIGINT / SIGTERM (clients are closed
first), 2 usage error (file unreadable or holding no connection, port taken, bad option).`;

/** What `mcp --help` prints. Each option of `mcp` is in `MCP_OPTIONS` (mcp.ts). */
export const MCP_USAGE = `Usage: realtime-inspector mcp URL [-H "Name: value"] [--list] [--call TOOL --args JSON]
                                [--read URI] [--get PROMPT --args JSON] [--json]

Inspects a Model Context Protocol server: initialize (the protocol version and capabilities the
server chose, its Mcp-Session-Id), then what you ask for, then DELETE of the session. Streamable
HTTP first (JSON or SSE answers; a dropped SSE answer is resumed with Last-Event-ID); when the server
refuses it with a 4xx, the older HTTP+SSE transport (GET URL, its endpoint event) as the SDK does.

Options:
  -H, --header "Name: value"  request header, repeatable; \${secret:NAME} reads RI_SECRET_NAME,
                              \${env:NAME} the environment; credentials are masked in all output
  --list                      tools/list, resources/list, prompts/list, as the capabilities allow
                              (the default when no --call, --read or --get is given)
  --call TOOL                 tools/call TOOL with --args (default {}); progress lines as they come
  --read URI                  resources/read URI
  --get PROMPT                prompts/get PROMPT with --args (values sent as strings)
  --args JSON                 the arguments, a JSON object: '{"text":"hi"}'
  --json                      the session's records, one JSON line each: every HTTP exchange, each
                              JSON-RPC message with "decoded" (type, id, method, params/result/error,
                              latencyMs), and {"kind":"mcp","event":"initialized"|"tools"|...}
  --sse                       use the older HTTP+SSE transport at once (URL is its SSE stream)
  --timeout MS                wait at most MS for each answer (default 120000)
  --insecure                  TLS: accept any certificate
  -h, --help                  this help

Server requests (sampling, elicitation, roots/list) are shown and answered with the JSON-RPC error
"not supported by this client". Proxies: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and NO_PROXY.
Exit status: 0 every step succeeded, 1 a step failed (a JSON-RPC error, a tool result with
             isError: its text shown, an HTTP refusal such as 401), 2 usage error,
             3 the server could not be reached.`;
