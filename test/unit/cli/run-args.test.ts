/** `run`'s command line: what it accepts, what it refuses with a usage error, and that its help names every option. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { UsageError, parseCliArgs } from '../../../src/cli/args';
import { RUN_OPTIONS } from '../../../src/cli/runArgs';
import { RUN_USAGE, USAGE } from '../../../src/cli/usage';

describe('run arguments', () => {
  it('takes names in order (each once) and every option', () => {
    assert.deepEqual(
      parseCliArgs(['run', 'b', 'a', 'b', '--profiles', 'ci.json', '--junit', 'r.xml', '--json', '--env-file', '.env', '--parallel', '3']),
      { command: 'run', names: ['b', 'a'], profiles: 'ci.json', junit: 'r.xml', json: true, envFile: '.env', parallel: 3 },
    );
    assert.deepEqual(parseCliArgs(['run']), {
      command: 'run',
      names: [],
      profiles: undefined,
      junit: undefined,
      json: false,
      envFile: undefined,
      parallel: 1,
    });
    assert.deepEqual(parseCliArgs(['run', '--help']), { command: 'run-help' });
  });

  it('refuses unknown options, a bad --parallel and empty file names', () => {
    for (const argv of [
      ['run', '--count', '3'],
      ['run', '--parallel', '0'],
      ['run', '--parallel', 'two'],
      ['run', '--junit', ''],
      ['run', '--profiles'],
    ]) {
      assert.throws(() => parseCliArgs(argv), UsageError, argv.join(' '));
    }
  });

  it('help names run and each of its options', () => {
    assert.match(USAGE, /realtime-inspector run \[NAME\.\.\.\]/);
    for (const [name, o] of Object.entries(RUN_OPTIONS)) {
      assert.ok(RUN_USAGE.includes(`--${name}`), `--${name} in run --help`);
      if ('short' in o) {
        assert.ok(RUN_USAGE.includes(`-${o.short}`));
      }
    }
    for (const code of ['0', '1', '2', '3']) {
      assert.match(RUN_USAGE, new RegExp(`\\b${code} `), `exit status ${code} explained`);
    }
  });
});
