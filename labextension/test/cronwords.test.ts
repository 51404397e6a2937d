import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { describeCron, paramText, paramValue } from '../src/schedules/cronWords';

test('cron strings in words, as the server says them', () => {
  assert.deepEqual(describeCron('0 */6 * * *'), { words: 'every 6 hours', valid: true });
  assert.equal(describeCron('  30 2  * * * ').words, 'every day at 02:30');
  assert.equal(describeCron('0 6 * * 1-5').words, 'every weekday at 06:00');
  assert.equal(describeCron('0 9 * * 7').words, 'every Sunday at 09:00');
  assert.equal(describeCron('*/15 * * * *').words, 'every 15 minutes');
  assert.equal(describeCron('5 * * * *').words, 'every hour at :05');
  assert.equal(describeCron('@daily').words, 'every day at 00:00');
  assert.equal(describeCron('0 0 1 * *').words, 'every month');
  assert.equal(describeCron('0 0 15 3 *').words, 'cron 0 0 15 3 *');
});

test('a cron string of the wrong form says what is wrong', () => {
  assert.deepEqual(describeCron('* * * *'), {
    words: '4 fields; it needs 5: minute hour day-of-month month day-of-week',
    valid: false
  });
  assert.equal(describeCron('@sometimes').valid, false);
  assert.match(describeCron('@sometimes').words, /unknown alias/);
  assert.equal(describeCron('').valid, false);
  assert.deepEqual(describeCron('61 * * * *'), { words: "the minute field '61' is not valid (0 to 59)", valid: false });
  assert.equal(describeCron('0 0 * 13 *').words, "the month field '13' is not valid (1 to 12)");
});

test('param values round-trip between text and JSON', () => {
  assert.equal(paramValue('3'), 3);
  assert.equal(paramValue('0.5'), 0.5);
  assert.deepEqual(paramValue('[1, 2]'), [1, 2]);
  assert.equal(paramValue('adam'), 'adam');
  assert.equal(paramText('adam'), 'adam');
  assert.equal(paramText('3'), '"3"', 'a string that reads as a number keeps its quotes');
  assert.equal(paramText(3), '3');
  assert.equal(paramValue(paramText('true')), 'true');
});
