import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { findAll } from '../src/detail/logsearch';

test('every match, ignoring case, without overlaps', () => {
  const log = 'epoch 0 loss 1.0\nepoch 1 LOSS 0.5\nLossless\n';
  assert.deepEqual(findAll(log, 'loss'), [8, 25, 34]);
  assert.deepEqual(findAll('aaaa', 'aa'), [0, 2]);
  assert.deepEqual(findAll(log, ''), []);
  assert.deepEqual(findAll(log, 'accuracy'), []);
});

test('the query is text, not a pattern, and offsets are those of the text shown', () => {
  assert.deepEqual(findAll('a.b axb (x) [y]', '.'), [1]);
  assert.deepEqual(findAll('a.b axb (x) [y]', '(x)'), [8]);
  assert.deepEqual(findAll('İstanbul loss', 'loss'), [9]); // İ lower-cases to two characters
});
