import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { durationText, elapsed, isTerminal, relativeTime, timestamp, valueText } from '../src/format';
import { Poller } from '../src/poll';

const NOW = Date.parse('2026-11-25T12:00:00Z');

test('relative times', () => {
  assert.equal(relativeTime('2026-11-25T11:59:58Z', NOW), 'just now');
  assert.equal(relativeTime('2026-11-25T11:59:15Z', NOW), '45 s ago');
  assert.equal(relativeTime('2026-11-25T11:57:00Z', NOW), '3 min ago');
  assert.equal(relativeTime('2026-11-25T07:00:00Z', NOW), '5 h ago');
  assert.equal(relativeTime('2026-11-24T11:00:00Z', NOW), 'yesterday');
  assert.equal(relativeTime('2026-11-21T12:00:00Z', NOW), '4 days ago');
  assert.equal(relativeTime('2026-10-01T12:00:00Z', NOW), timestamp('2026-10-01T12:00:00Z').slice(0, 10)); // local date
  assert.equal(relativeTime(null, NOW), '');
  assert.equal(relativeTime('2026-11-25T12:05:00Z', NOW), 'in 5 min');
  assert.equal(relativeTime('2026-11-25T18:00:00Z', NOW), 'in 6 h');
  assert.equal(relativeTime('2026-11-27T12:00:00Z', NOW), 'in 2 days');
  assert.equal(relativeTime('not a date', NOW), '');
});

test('durations', () => {
  assert.equal(durationText(0.85), '850 ms');
  assert.equal(durationText(4.21), '4.2 s');
  assert.equal(durationText(12.4), '12 s');
  assert.equal(durationText(184), '3 min 4 s');
  assert.equal(durationText(7500), '2 h 5 min');
  assert.equal(durationText(null), '');
});

test('elapsed time of a run still going, recorded duration of one that ended', () => {
  assert.equal(elapsed('running', '2026-11-25T11:59:00Z', 3, NOW), 60);
  assert.equal(elapsed('completed', '2026-11-25T11:59:00Z', 3, NOW), 3);
  assert.equal(elapsed('pending', null, null, NOW), null);
});

test('states and values', () => {
  assert.ok(isTerminal('completed') && isTerminal('error') && isTerminal('aborted'));
  assert.ok(!isTerminal('running') && !isTerminal('pending') && !isTerminal('aborting'));
  assert.equal(valueText({ a: 1 }), '{"a":1}');
  assert.equal(valueText('<b>'), '<b>');
  assert.equal(valueText(null), '');
});

test('the poller runs while active, one tick at a time, and backs off on failures', async () => {
  let calls = 0;
  let fail = true;
  const errors: unknown[] = [];
  const poller = new Poller({
    interval: 5,
    maxInterval: 40,
    task: async () => {
      calls += 1;
      if (fail) {
        throw new Error('down');
      }
    },
    onError: error => errors.push(error)
  });
  poller.start();
  await new Promise(resolve => setTimeout(resolve, 60));
  assert.ok(calls >= 2 && errors.length === calls);
  assert.ok(poller.delay > 5, 'backs off while failing');
  fail = false;
  await poller.tick();
  assert.equal(poller.delay, 5, 'back to the interval after a success');
  poller.stop();
  const stoppedAt = calls;
  await new Promise(resolve => setTimeout(resolve, 30));
  assert.equal(calls, stoppedAt, 'no tick after stop');
  assert.ok(!poller.active);
});

test('a tick asked for while the task runs runs once more right after it, not at the next interval', async () => {
  let calls = 0;
  let release: () => void = () => undefined;
  const poller = new Poller({
    interval: 60_000,
    task: () => {
      calls += 1;
      return calls === 1 ? new Promise<void>(resolve => (release = resolve)) : Promise.resolve();
    }
  });
  const first = poller.tick();
  void poller.tick();
  void poller.tick(); // asked twice meanwhile: one more run, not two
  assert.equal(calls, 1, 'never two at once');
  release();
  await first;
  assert.equal(calls, 2);
  poller.stop();
});
