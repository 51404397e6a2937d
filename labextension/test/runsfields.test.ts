import { test } from 'node:test';
import * as assert from 'node:assert/strict';

import { dayStart, fieldName, rangeOf } from '../src/runs/fields';

test('a column names its field in the filter language, quoting a key that is not a plain word', () => {
  assert.equal(fieldName({ section: 'results', key: 'accuracy' }), 'results.accuracy');
  assert.equal(fieldName({ section: 'params', key: 'learning rate' }), 'params."learning rate"');
  assert.equal(fieldName({ section: 'labels', key: 'val.acc' }), 'labels."val.acc"');
});

test('a shift-click selects every row between the last clicked one and it, either way', () => {
  const uids = ['a', 'b', 'c', 'd', 'e'];
  assert.deepEqual(rangeOf(uids, 'b', 'd'), ['b', 'c', 'd']);
  assert.deepEqual(rangeOf(uids, 'd', 'a'), ['a', 'b', 'c', 'd']);
  assert.deepEqual(rangeOf(uids, null, 'c'), ['c']);
  assert.deepEqual(rangeOf(uids, 'gone', 'c'), ['c']);
});

test('an until day includes the whole day: it ends at the next local midnight', () => {
  const start = new Date(dayStart('2026-03-01'));
  const end = new Date(dayStart('2026-03-01', true));
  assert.equal(start.getDate(), 1);
  assert.equal(start.getHours(), 0);
  assert.equal(end.getDate(), 2);
  assert.equal(end.getHours(), 0);
});
