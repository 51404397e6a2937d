import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { ISavedTable, pageKeys, pagerText, reachable } from '../src/table/data';

function table(extra: Partial<ISavedTable>): ISavedTable {
  return { version: 1, columns: [], rows: [], total: 45, page_size: 20, short: false, store: 's', ...extra };
}

test('a table saved with its listing pages through every run', () => {
  assert.equal(reachable(table({ query: { project: 'p' } })), 45);
});

test('a table saved by keys pages through the keys it saved', () => {
  const keys: [string, number][] = Array.from({ length: 30 }, (_, i) => [`u${i}`, 0]);
  assert.equal(reachable(table({ keys })), 30);
  assert.deepEqual(pageKeys(table({ keys }), 1), keys.slice(20, 30));
  assert.deepEqual(pageKeys(table({ keys }), 2), []);
  assert.equal(reachable(table({ total: 1, rows: [] })), 0, 'neither: only the saved rows');
});

test('the pager reads like the widget', () => {
  assert.equal(pagerText(99981, 100000, 100000), '99,981\u2013100,000 of 100,000 runs');
});
