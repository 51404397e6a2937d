import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { Ledger, OVERLAP } from '../src/notify/ledger';
import { announced, DEFAULT_SETTINGS, IEndedRun, message, moreMessage } from '../src/notify/texts';

function ended(uid: string, end: number, extra: Partial<IEndedRun> = {}): IEndedRun {
  return {
    uid, project: 'p', name: 'trainer-train', state: 'completed', start_time: new Date((end - 123) * 1000).toISOString(),
    end_time: new Date(end * 1000).toISOString(), duration: 123, error: null, sweep: null, origin: 'kernel', ...extra
  };
}

test('what a notification says', () => {
  assert.equal(message(ended('a', 1000)), 'trainer-train completed in 2 min 3 s');
  assert.equal(message(ended('a', 1000, { state: 'error', duration: 4, error: 'ValueError: bad row' })),
    'trainer-train failed after 4.0 s: ValueError: bad row');
  assert.equal(message(ended('a', 1000, { state: 'aborted' })), 'trainer-train aborted');
  const sweep = { completed: 24, error: 1, aborted: 0, total: 25, best_iteration: 7 };
  assert.equal(message(ended('a', 1000, { sweep })), 'trainer-train: 24 done, 1 failed (best #7)');
  assert.equal(message(ended('a', 1000, { sweep: { ...sweep, error: 0, best_iteration: null } })), 'trainer-train: 24 done');
  assert.equal(moreMessage(12, true), '12 more runs ended while you were away');
  assert.equal(moreMessage(1, false), '1 more run ended');
});

test('settings decide which runs are announced', () => {
  const quick = ended('a', 1000, { duration: 2 });
  assert.equal(announced(quick, DEFAULT_SETTINGS), false);
  assert.equal(announced(quick, { ...DEFAULT_SETTINGS, minDuration: 0 }), true);
  assert.equal(announced({ ...quick, origin: 'followed' }, DEFAULT_SETTINGS), true);
  assert.equal(announced({ ...quick, state: 'error' }, DEFAULT_SETTINGS), true);
  assert.equal(announced(ended('a', 1000), { ...DEFAULT_SETTINGS, onlyErrors: true }), false);
  assert.equal(announced({ ...quick, state: 'error' }, { ...DEFAULT_SETTINGS, enabled: false }), false);
});

test('the ledger announces each run once, looking a minute back', () => {
  const ledger = new Ledger();
  assert.equal(ledger.since, null);
  assert.deepEqual(ledger.take([], 1000), []);
  assert.equal(ledger.since, 1000 - OVERLAP);
  assert.deepEqual(ledger.take([ended('a', 1010)], 1010).map(r => r.uid), ['a']);
  // asked again a minute back: 'a' comes back but is not new; 'b', written late with an older end, is
  assert.deepEqual(ledger.take([ended('b', 1005), ended('a', 1010)], 1010).map(r => r.uid), ['b']);
  // a reload (the saved state) or another tab: nothing is announced twice
  const reloaded = new Ledger(JSON.parse(JSON.stringify(ledger.toJSON())));
  assert.deepEqual(reloaded.take([ended('a', 1010), ended('b', 1005)], 1010), []);
  // runs that cannot be listed again are forgotten
  reloaded.take([ended('c', 2000)], 2000);
  assert.deepEqual(Object.keys(reloaded.recent), ['c']);
});

test('after a catch-up that left runs out, nothing before it is asked again', () => {
  const ledger = new Ledger({ cursor: 1000, floor: 0, recent: {} });
  ledger.take([ended('x', 1500)], 1500, 12);
  assert.equal(ledger.since, 1500);
  const other = new Ledger({ cursor: 1000, floor: 0, recent: {} });
  other.merge(ledger.toJSON());
  assert.equal(other.since, 1500);
  assert.deepEqual(other.take([ended('x', 1500)], 1500), []);
});

test('runs announced before that an answer had no room for are not counted as more', () => {
  // five runs announced, then a sixth ends: the server lists the newest five of the minute and says one more
  const ledger = new Ledger({ cursor: 1000, floor: 0, recent: {} });
  const first = ['a', 'b', 'c', 'd', 'e'].map((uid, i) => ended(uid, 1001 + i));
  assert.equal(ledger.take(first, 1005).length, 5);
  assert.equal(ledger.leftOut, 0);
  assert.equal(ledger.known, 5);
  const fresh = ledger.take([...first.slice(1), ended('f', 1010)], 1010, 1);
  assert.deepEqual(fresh.map(run => run.uid), ['f']);
  assert.equal(ledger.leftOut, 0, "the run left out is 'a', announced already");
  assert.equal(ledger.since, 1010 - OVERLAP, 'nothing is skipped: the floor stays');
  // seven new runs in a minute where the answer holds five: two are really left out
  const busy = new Ledger({ cursor: 2000, floor: 0, recent: {} });
  const seven = ['p', 'q', 'r', 's', 't', 'u', 'v'].map((uid, i) => ended(uid, 2001 + i));
  assert.equal(busy.take(seven.slice(2), 2007, 2).length, 5);
  assert.equal(busy.leftOut, 2);
  assert.equal(busy.since, 2007);
});
