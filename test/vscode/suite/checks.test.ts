import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { readFile, rm } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { RunChecksOutcome } from '../../../src/commands/checks';
import type { Profile } from '../../../src/core/profile';
import type { ConnRecord } from '../../../src/core/records';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { ChecksView, RuleStatus } from '../../../src/protocol';
import type { Session } from '../../../src/session/session';
import { cleanUp, demoServer, getApi, tapPosts, waitFor } from './helpers';

/** Records of the session's store, as plain objects. */
function records(session: Session): ConnRecord[] {
  return session.store.toArray();
}

async function saveProfiles(profiles: Profile[]): Promise<void> {
  await vscode.workspace.getConfiguration('realtimeInspector').update('profiles', profiles, vscode.ConfigurationTarget.Global);
}

function rawProfiles(): Profile[] {
  return vscode.workspace.getConfiguration('realtimeInspector').get<Profile[]>('profiles') ?? [];
}

suite('Checks: a profile with expect, in the panel, the commands and the Testing view', () => {
  let api: RealtimeInspectorApi;
  let base: string;
  let wsBase: string;

  /** Ticks every 50 ms (tick, text, news, status in turn): a tick comes, a trade never does, nothing hostile. */
  const ticks = (): Profile => ({
    name: 'ticks',
    url: `${base}/sse`,
    expect: {
      timeoutMs: 1500,
      messages: [
        { name: 'first tick', event: 'tick' },
        { name: 'a trade', event: 'trade', withinMs: 300 },
      ],
      never: [{ name: 'nothing hostile', event: 'hostile' }],
    },
  });

  suiteSetup(async () => {
    api = await getApi();
    base = (await demoServer()).url;
    wsBase = base.replace(/^http/, 'ws');
  });

  teardown(async () => {
    api.commands.checks.pickChoice = undefined;
    api.commands.checks.saveFirst = undefined;
    await cleanUp(api);
  });

  test('a session of a profile with expect runs its checks as it connects: states go pending to passed/failed, records in the log and the export', async () => {
    const session = api.services.sessions.create(ticks(), 'user');
    const seen = new Map<string, RuleStatus[]>();
    session.checks.onDidChange(() => {
      for (const r of session.checks.view?.rules ?? []) {
        const list = seen.get(r.name) ?? [];
        if (list[list.length - 1] !== r.status) {
          list.push(r.status);
        }
        seen.set(r.name, list);
      }
    });
    const panel = api.services.panels.open(session);
    const tap = tapPosts(panel.panel.webview);
    try {
      const result = await api.services.actions.connect(session);
      assert.equal(result.ok, true);
      const run = session.checks.current!;
      assert.deepEqual(run.rules, ['first tick', 'a trade', 'nothing hostile']);
      const outcome = await run.done;
      assert.ok(outcome.finished);
      assert.equal(outcome.summary.passed, 2);
      assert.equal(outcome.summary.failed, 1);
      assert.deepEqual(seen.get('first tick'), ['pending', 'passed']);
      assert.deepEqual(seen.get('a trade'), ['pending', 'failed']);
      assert.deepEqual(seen.get('nothing hostile'), ['holding', 'passed']);
      assert.equal(session.status.state, 'open', 'the connection stays open for the user to inspect');

      // The rule that passed names the tick that decided it.
      const view = session.checks.view!;
      const first = view.rules.find((r) => r.name === 'first tick')!;
      const decided = session.store.bySeq(first.decidedBy!);
      assert.ok(decided?.kind === 'message' && decided.event === 'tick', 'decidedBy is the first tick');
      assert.match(view.rules.find((r) => r.name === 'a trade')!.detail, /300 ms/);
      assert.equal(view.running, false);
      assert.equal(view.summary?.end, 'the timeout ran out');

      // The panel was told: the last `checks` post is the finished run.
      const posted = await waitFor(
        () => tap.messages.filter((m) => m.type === 'checks').find((m) => m.type === 'checks' && m.checks?.running === false),
        'a checks post of the finished run',
      );
      const last = (posted as { checks: ChecksView }).checks;
      assert.deepEqual(
        last.rules.map((r) => [r.name, r.status]),
        [
          ['first tick', 'passed'],
          ['a trade', 'failed'],
          ['nothing hostile', 'passed'],
        ],
      );
      // A reloaded panel gets the states again after its init.
      tap.messages.length = 0;
      await panel.handle({ type: 'ready' });
      assert.deepEqual(
        tap.messages.map((m) => m.type),
        ['init', 'checks'],
      );

      // The assertion and summary records are in the log, after the records that decided them…
      await waitFor(() => records(session).some((r) => r.kind === 'summary'), 'the summary record');
      const all = records(session);
      const assertions = all.filter((r) => r.kind === 'assertion');
      assert.deepEqual(
        assertions.map((r) => [r.rule, r.ok]),
        [
          ['first tick', true],
          ['a trade', false],
          ['nothing hostile', true],
        ],
      );
      const firstAssertion = assertions[0];
      assert.ok(firstAssertion.kind === 'assertion' && firstAssertion.seq > first.decidedBy!);
      const summary = all.find((r) => r.kind === 'summary');
      assert.ok(summary?.kind === 'summary' && summary.profile === 'ticks' && summary.passed === 2 && summary.failed === 1);
      // …and in the export.
      const file = path.join(os.tmpdir(), `checks-export-${process.pid}.ndjson`);
      try {
        await api.services.actions.exportLog(session, file);
        const lines = (await readFile(file, 'utf8'))
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as ConnRecord);
        assert.equal(lines.filter((r) => r.kind === 'assertion').length, 3);
        assert.equal(lines.filter((r) => r.kind === 'summary').length, 1);
      } finally {
        await rm(file, { force: true });
      }
    } finally {
      tap.restore();
    }
  });

  test('Run Checks runs the profile in its panel; Run again starts a fresh run on a fresh connection', async () => {
    await saveProfiles([{ ...ticks(), expect: { timeoutMs: 5000, messages: [{ name: 'first tick', event: 'tick' }] } }]);
    const outcome = (await vscode.commands.executeCommand<RunChecksOutcome>('realtimeInspector.runChecks', 'ticks'))!;
    assert.ok(outcome.result.ok && outcome.run);
    const panel = api.services.panels.get(outcome.session);
    assert.ok(panel, 'the profile has its panel');
    const first = await outcome.run.done;
    assert.ok(first.finished && first.summary.passed === 1 && first.summary.end.reason === 'settled');
    assert.equal(outcome.session.status.state, 'open', 'still open after the run');
    const opens = records(outcome.session).filter((r) => r.kind === 'open').length;

    // The strip's Run again.
    await panel.handle({ type: 'runChecks' });
    const again = outcome.session.checks.current!;
    assert.notEqual(again.id, outcome.run.id, 'a new run');
    const second = await again.done;
    assert.ok(second.finished && second.summary.passed === 1);
    assert.ok(records(outcome.session).filter((r) => r.kind === 'open').length > opens, 'on a fresh connection');
    assert.equal(records(outcome.session).filter((r) => r.kind === 'summary').length, 2);

    // The same command on the profile again reuses the session.
    const third = (await vscode.commands.executeCommand<RunChecksOutcome>('realtimeInspector.runChecks', 'ticks'))!;
    assert.equal(third.session, outcome.session);
    await third.run!.done;
  });

  test("a profile's send messages go out after the open as sent rows, and its checks see them answered", async () => {
    const session = api.services.sessions.create(
      {
        name: 'echo',
        url: `${wsBase}/ws/echo`,
        send: ['hello', { json: { op: 'subscribe' } }],
        expect: {
          timeoutMs: 5000,
          messages: [
            { name: 'echoed', data: 'hello' },
            { name: 'subscribed', json: '$.op', equals: 'subscribe' },
            { name: 'sent the subscription', dir: 'out', json: '$.op', equals: 'subscribe' },
          ],
        },
      },
      'user',
    );
    api.services.panels.open(session);
    assert.equal((await api.services.actions.connect(session)).ok, true);
    const outcome = await session.checks.current!.done;
    assert.ok(outcome.finished);
    assert.deepEqual(
      outcome.summary.results.map((r) => [r.rule, r.ok]),
      [
        ['echoed', true],
        ['subscribed', true],
        ['sent the subscription', true],
      ],
    );
    const sent = records(session).filter((r) => r.kind === 'message' && r.dir === 'out');
    assert.deepEqual(
      sent.map((r) => r.kind === 'message' && r.data),
      ['hello', '{"op":"subscribe"}'],
    );
  });

  test('an expect block that does not compile runs nothing and says why in the strip', async () => {
    const session = api.services.sessions.create(
      { name: 'bad', url: `${base}/sse`, expect: { messages: [{ name: 'x', json: '$[' }] } } as unknown as Profile,
      'user',
    );
    api.services.panels.open(session);
    await api.services.actions.connect(session);
    const view = session.checks.view!;
    assert.equal(view.rules.length, 0);
    assert.match(view.problem ?? '', /expect\.messages\[0\]/);
    assert.equal(session.checks.current, undefined);
  });

  test('Add Check from Message writes the rule picked into the profile in settings, and the next run has it', async () => {
    await saveProfiles([{ ...ticks(), expect: { timeoutMs: 3000, messages: [{ name: 'first tick', event: 'tick' }] } }]);
    const outcome = (await vscode.commands.executeCommand<RunChecksOutcome>('realtimeInspector.runChecks', 'ticks'))!;
    const session = outcome.session;
    await outcome.run!.done;
    const tick = records(session).find((r) => r.kind === 'message' && r.event === 'tick')!;
    let offered: string[] = [];
    api.commands.checks.pickChoice = async (items) => {
      offered = items.map((i) => i.label);
      return offered.find((l) => l === '$.price type number');
    };
    const rule = await vscode.commands.executeCommand('realtimeInspector.addCheck', {
      webviewSection: 'message',
      connectionId: session.id,
      seq: tick.seq,
    });
    assert.deepEqual(rule, { json: '$.price', type: 'number' });
    assert.ok(offered.includes('event is "tick"'), offered.join('\n'));
    assert.ok(offered.includes('$.n type number'));
    assert.ok(offered.some((l) => l.startsWith('data contains ')));
    await waitFor(() => rawProfiles()[0]?.expect?.messages?.length === 2, 'the rule in settings');
    assert.deepEqual(rawProfiles()[0].expect?.messages, [
      { name: 'first tick', event: 'tick' },
      { json: '$.price', type: 'number' },
    ]);
    assert.equal(rawProfiles()[0].expect?.timeoutMs, 3000, 'the rest of expect kept');

    // Another pick appends; the next run has both new rules.
    api.commands.checks.pickChoice = async (items) => items.find((i) => i.label === 'event is "tick"')?.label;
    await vscode.commands.executeCommand('realtimeInspector.addCheck', { connectionId: session.id, seq: tick.seq });
    await waitFor(() => rawProfiles()[0]?.expect?.messages?.length === 3, 'the second rule in settings');
    await api.services.panels.get(session)!.handle({ type: 'runChecks' });
    const next = session.checks.current!;
    assert.deepEqual(next.rules, ['first tick', '$.price is number', 'event "tick"']);
    const done = await next.done;
    assert.ok(done.finished && done.summary.failed === 0, JSON.stringify(done.finished && done.summary.results));
  });

  test('Add Check from Message on a connection without a profile saves it as one first, with the rule in a new expect', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', { url: `${base}/sse` }))!;
    const tick = await waitFor(() => records(session).find((r) => r.kind === 'message' && r.event === 'tick'), 'a tick');
    let asked = 0;
    api.commands.checks.saveFirst = async (s) => {
      asked++;
      return api.services.actions.saveProfile(s, undefined, 'saved ticks');
    };
    api.commands.checks.pickChoice = async (items) => items.find((i) => i.label === 'event is "tick"')?.label;
    await vscode.commands.executeCommand('realtimeInspector.addCheck', { connectionId: session.id, seq: tick.seq });
    assert.equal(asked, 1);
    const saved = await waitFor(() => rawProfiles().find((p) => p.name === 'saved ticks' && p.expect), 'the profile saved with expect');
    assert.deepEqual(saved.expect, { messages: [{ event: 'tick' }] });
    assert.equal(session.config.name, 'saved ticks');
    assert.deepEqual(session.config.expect, { messages: [{ event: 'tick' }] }, 'the session runs it from its next connect');
  });

  test('Add Check from Message on a record that is not a message says so', async () => {
    await saveProfiles([ticks()]);
    const outcome = (await vscode.commands.executeCommand<RunChecksOutcome>('realtimeInspector.runChecks', 'ticks'))!;
    const open = await waitFor(() => records(outcome.session).find((r) => r.kind === 'open'), 'the open record');
    await assert.rejects(api.commands.checks.addCheckCommand({ connectionId: outcome.session.id, seq: open.seq }), /is not a message/);
    outcome.run?.stop('test over');
  });

  test('the Testing view has an item per profile with expect and a child per rule, kept in step with settings', async () => {
    await saveProfiles([ticks(), { name: 'plain', url: `${base}/sse` }]);
    const tests = api.tests;
    await waitFor(() => tests.controller.items.get('ticks'), 'the profile item');
    const item = tests.controller.items.get('ticks')!;
    const children: string[] = [];
    item.children.forEach((c) => children.push(c.label));
    assert.deepEqual(children, ['first tick', 'a trade', 'nothing hostile']);
    assert.equal(tests.controller.items.get('plain'), undefined, 'no expect: no test');
    await saveProfiles([{ ...ticks(), expect: { messages: [{ event: 'news' }] } }]);
    await waitFor(() => tests.controller.items.get('ticks')?.children.size === 1, 'the items updated');
    tests.controller.items.get('ticks')!.children.forEach((c) => assert.equal(c.label, 'event "news"'));
  });

  test('a Testing view run reports each rule passed or failed, and a profile that never connects as errored', async () => {
    await saveProfiles([
      ticks(),
      {
        name: 'nowhere',
        url: 'http://127.0.0.1:1/sse',
        reconnect: { enabled: false },
        expect: { timeoutMs: 3000, messages: [{ name: 'anything' }] },
      },
    ]);
    const tests = api.tests;
    tests.sync();
    const before = tests.reported.length;
    const source = new vscode.CancellationTokenSource();
    await tests.runProfile.runHandler(
      new vscode.TestRunRequest([tests.controller.items.get('ticks')!, tests.controller.items.get('nowhere')!]),
      source.token,
    );
    const reports = tests.reported.slice(before);
    assert.deepEqual(reports.find((r) => r.profile === 'ticks')?.rules, {
      'first tick': 'passed',
      'a trade': 'failed',
      'nothing hostile': 'passed',
    });
    const nowhere = reports.find((r) => r.profile === 'nowhere');
    assert.deepEqual(nowhere?.rules, { anything: 'errored' });
    assert.match(nowhere?.errored ?? '', /not connected|ECONNREFUSED|never opened/i);
    // The run went through the panel: its session shows the same run.
    const session = api.services.sessions.all.find((s) => s.config.name === 'ticks')!;
    assert.ok(api.services.panels.get(session), 'the profile ran in its panel');
    assert.equal(session.checks.view?.summary?.failed, 1);
  });

  test("in an untrusted workspace a workspace profile's checks run only once its connect is confirmed", async () => {
    const trust = api.services.trust;
    const { isTrusted, confirm } = trust;
    const asked: string[] = [];
    let answer = false;
    trust.isTrusted = () => false;
    trust.confirm = async (subject) => {
      asked.push(subject.host);
      return answer;
    };
    trust.reset();
    try {
      const session = api.services.sessions.create(ticks(), 'workspace');
      api.services.panels.open(session);
      const refused = await session.runChecks();
      assert.equal(refused.ok, false);
      assert.equal(refused.ok === false && refused.code, 'ERR_UNTRUSTED');
      assert.equal(asked.length, 1, 'asked as a connect would');
      assert.equal(session.checks.current, undefined, 'no run, nothing connected');
      assert.equal(session.connection, undefined);
      answer = true;
      const confirmed = await session.runChecks();
      assert.equal(confirmed.ok, true);
      const done = await session.checks.current!.done;
      assert.ok(done.finished && done.summary.opened);
    } finally {
      trust.isTrusted = isTrusted;
      trust.confirm = confirm;
      trust.reset();
    }
  });

  test('a run started from the panel is reported to the Testing view too', async () => {
    await saveProfiles([{ ...ticks(), expect: { timeoutMs: 5000, messages: [{ name: 'first tick', event: 'tick' }] } }]);
    const before = api.tests.reported.length;
    const outcome = (await vscode.commands.executeCommand<RunChecksOutcome>('realtimeInspector.runChecks', 'ticks'))!;
    await outcome.run!.done;
    const report = await waitFor(() => api.tests.reported.slice(before).find((r) => r.profile === 'ticks'), 'the report');
    assert.deepEqual(report.rules, { 'first tick': 'passed' });
  });
});
