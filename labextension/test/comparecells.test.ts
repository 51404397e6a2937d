import { test } from 'node:test';
import * as assert from 'node:assert/strict';

import { cellText, changedFromFirst } from '../src/compare/cells';

test('a cell rounds numbers (3 decimals, 3 significant digits below 1) and shows no value as a dash', () => {
  assert.equal(cellText(0.123456), '0.123');
  assert.equal(cellText(0.000123456), '0.000123');
  assert.equal(cellText(12345.6789), '12345.679');
  assert.equal(cellText(42), '42');
  assert.equal(cellText(null), '—');
  assert.equal(cellText(undefined), '—');
  assert.equal(cellText('adam'), 'adam');
});

test('values that differ from the first run are marked, a missing value included', () => {
  assert.deepEqual(changedFromFirst({ field: 'param.lr', differs: true, values: [0.1, 0.1, 0.3, null] }),
    [false, false, true, true]);
  assert.deepEqual(changedFromFirst({ field: 'param.opt', differs: true, values: [{ a: 1 }, { a: 1 }, { a: 2 }] }),
    [false, false, true]);
});

test('durations count as changed only when the server says the row differs', () => {
  assert.deepEqual(changedFromFirst({ field: 'duration', differs: false, values: [5.01, 5.02] }), [false, false]);
  assert.deepEqual(changedFromFirst({ field: 'duration', differs: true, values: [5, 50] }), [false, true]);
});
