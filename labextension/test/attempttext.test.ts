import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { nextAttemptText } from '../src/detail/attempttext';

test('the next attempt, with the whole seconds left until it', () => {
  assert.equal(nextAttemptText({ attempt: 2, of: 3, at: 104 }, 100_000), 'attempt 2 of 3 in 4 s');
  assert.equal(nextAttemptText({ attempt: 3, of: 3, at: 100.2 }, 100_000), 'attempt 3 of 3 in 1 s');
});

test('an attempt already due never shows a negative wait', () => {
  assert.equal(nextAttemptText({ attempt: 2, of: 2, at: 90 }, 100_000), 'attempt 2 of 2 in 0 s');
});
