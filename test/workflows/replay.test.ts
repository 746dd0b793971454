import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { HISTORIES_DIR } from '../support/packs';
import { quietTemporalRuntime, workflowBundle } from '../support/stack';

// Histories of real pack workflows, recorded from the scenario tests (RECORD_HISTORIES=1, see README). Replaying
// them with today's workflow code proves a change does not break packs already running: if this fails, the change
// needs `patched()` (or the histories were recorded from code that never ran in production: refresh them).
// Older generations stay in sub-folders (named after the change that followed them): packs started under that code
// may still be running, and must replay too.
const files = fs.existsSync(HISTORIES_DIR)
  ? (fs.readdirSync(HISTORIES_DIR, { recursive: true }) as string[]).filter((f) => f.endsWith('.history.pb')).sort()
  : [];

describe('replay of recorded pack histories', () => {
  beforeAll(() => quietTemporalRuntime());

  test('histories are committed for the replay test', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  test.each(files)('%s replays deterministically with the current workflow code', async (file) => {
    const history = temporal.api.history.v1.History.decode(fs.readFileSync(path.join(HISTORIES_DIR, file)));
    await Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history, `replay-${file}`);
  });
});
