import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { codeSpans, durationText, fullTime, relativeTime, shortTime, splitMessage, timestamp } from '../src/format';

test('backticked text is marked as code, the rest stays text', () => {
  assert.deepEqual(codeSpans('Run `f()` now'), [
    { text: 'Run ', code: false },
    { text: 'f()', code: true },
    { text: ' now', code: false }
  ]);
  assert.deepEqual(codeSpans('`a` and `b`'), [
    { text: 'a', code: true },
    { text: ' and ', code: false },
    { text: 'b', code: true }
  ]);
  assert.deepEqual(codeSpans('an odd ` stays'), [{ text: 'an odd ` stays', code: false }]);
  assert.deepEqual(codeSpans(''), []);
});

test('an error message splits into a one-line summary and its details', () => {
  assert.deepEqual(splitMessage('The run store cannot be reached.\ncannot use it: refused.\nTo fix it: start it'), {
    summary: 'The run store cannot be reached.',
    details: 'cannot use it: refused.\nTo fix it: start it'
  });
  assert.deepEqual(splitMessage('one line'), { summary: 'one line', details: '' });
});

test('tooltips show the full local date and time', () => {
  const iso = '2026-11-25T12:03:07Z';
  const local = new Date(iso);
  const text = fullTime(iso, 'en-GB');
  assert.ok(text.includes('2026'), text);
  assert.ok(text.includes(String(local.getDate())), text);
  assert.ok(text.includes(`${String(local.getMinutes()).padStart(2, '0')}:07`), text);
  assert.match(text, /Wednesday|Thursday|Tuesday/);
  assert.equal(fullTime(null), '');
  assert.equal(fullTime('not a date'), '');
});

test('an old time shows as its local date, like the local timestamp', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');
  const iso = '2026-10-01T23:30:00Z';
  assert.equal(relativeTime(iso, now), timestamp(iso).slice(0, 10));
});

test('compact durations for the sidebar rows', () => {
  assert.equal(durationText(184, true), '3m 4s');
  assert.equal(durationText(7500, true), '2h 5m');
  assert.equal(durationText(12.4, true), '12 s');
  assert.equal(durationText(184), '3 min 4 s');
});

test('short times for the sidebar rows', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');
  assert.equal(shortTime('2026-11-25T11:59:58Z', now), 'just now');
  assert.equal(shortTime('2026-11-25T11:59:15Z', now), '45s ago');
  assert.equal(shortTime('2026-11-25T11:40:00Z', now), '20m ago');
  assert.equal(shortTime('2026-11-25T07:00:00Z', now), '5h ago');
  assert.equal(shortTime('2026-11-22T12:00:00Z', now), '3d ago');
  assert.equal(shortTime('2026-11-25T12:05:00Z', now), 'in 5m');
  assert.equal(shortTime('2026-06-15T12:00:00Z', now, 'en-US'), 'Jun 15');
  assert.equal(shortTime('2025-06-15T12:00:00Z', now, 'en-US'), 'Jun 2025');
  assert.equal(shortTime(null, now), '');
  assert.equal(shortTime('not a date', now), '');
});
