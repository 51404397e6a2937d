"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
const node_assert_1 = require("node:assert");
const node_test_1 = require("node:test");
const format_1 = require("../src/format");
const poll_1 = require("../src/poll");
const NOW = Date.parse('2026-11-25T12:00:00Z');
(0, node_test_1.test)('relative times', () => {
    node_assert_1.strict.equal((0, format_1.relativeTime)('2026-11-25T11:59:58Z', NOW), 'just now');
    node_assert_1.strict.equal((0, format_1.relativeTime)('2026-11-25T11:59:15Z', NOW), '45 s ago');
    node_assert_1.strict.equal((0, format_1.relativeTime)('2026-11-25T11:57:00Z', NOW), '3 min ago');
    node_assert_1.strict.equal((0, format_1.relativeTime)('2026-11-25T07:00:00Z', NOW), '5 h ago');
    node_assert_1.strict.equal((0, format_1.relativeTime)('2026-11-24T11:00:00Z', NOW), 'yesterday');
    node_assert_1.strict.equal((0, format_1.relativeTime)('2026-11-21T12:00:00Z', NOW), '4 days ago');
    node_assert_1.strict.equal((0, format_1.relativeTime)('2026-10-01T12:00:00Z', NOW), '2026-10-01');
    node_assert_1.strict.equal((0, format_1.relativeTime)(null, NOW), '');
    node_assert_1.strict.equal((0, format_1.relativeTime)('2026-11-25T12:05:00Z', NOW), 'in 5 min');
    node_assert_1.strict.equal((0, format_1.relativeTime)('2026-11-25T18:00:00Z', NOW), 'in 6 h');
    node_assert_1.strict.equal((0, format_1.relativeTime)('2026-11-27T12:00:00Z', NOW), 'in 2 days');
    node_assert_1.strict.equal((0, format_1.relativeTime)('not a date', NOW), '');
});
(0, node_test_1.test)('durations', () => {
    node_assert_1.strict.equal((0, format_1.durationText)(0.85), '850 ms');
    node_assert_1.strict.equal((0, format_1.durationText)(4.21), '4.2 s');
    node_assert_1.strict.equal((0, format_1.durationText)(12.4), '12 s');
    node_assert_1.strict.equal((0, format_1.durationText)(184), '3 min 4 s');
    node_assert_1.strict.equal((0, format_1.durationText)(7500), '2 h 5 min');
    node_assert_1.strict.equal((0, format_1.durationText)(null), '');
});
(0, node_test_1.test)('elapsed time of a run still going, recorded duration of one that ended', () => {
    node_assert_1.strict.equal((0, format_1.elapsed)('running', '2026-11-25T11:59:00Z', 3, NOW), 60);
    node_assert_1.strict.equal((0, format_1.elapsed)('completed', '2026-11-25T11:59:00Z', 3, NOW), 3);
    node_assert_1.strict.equal((0, format_1.elapsed)('pending', null, null, NOW), null);
});
(0, node_test_1.test)('states and values', () => {
    node_assert_1.strict.ok((0, format_1.isTerminal)('completed') && (0, format_1.isTerminal)('error') && (0, format_1.isTerminal)('aborted'));
    node_assert_1.strict.ok(!(0, format_1.isTerminal)('running') && !(0, format_1.isTerminal)('pending') && !(0, format_1.isTerminal)('aborting'));
    node_assert_1.strict.equal((0, format_1.valueText)({ a: 1 }), '{"a":1}');
    node_assert_1.strict.equal((0, format_1.valueText)('<b>'), '<b>');
    node_assert_1.strict.equal((0, format_1.valueText)(null), '');
});
(0, node_test_1.test)('paths under the server root', () => {
    node_assert_1.strict.equal((0, format_1.underRoot)('/home/me/proj/artifacts/a.csv', '/home/me/'), 'proj/artifacts/a.csv');
    node_assert_1.strict.equal((0, format_1.underRoot)('file:///home/me/a%20b.csv', '/home/me'), 'a b.csv');
    node_assert_1.strict.equal((0, format_1.underRoot)('/home/mean/a.csv', '/home/me'), null);
    node_assert_1.strict.equal((0, format_1.underRoot)('s3://bucket/a.csv', '/home/me'), null);
    node_assert_1.strict.equal((0, format_1.underRoot)('', '/home/me'), null);
});
(0, node_test_1.test)('the poller runs while active, one tick at a time, and backs off on failures', async () => {
    let calls = 0;
    let fail = true;
    const errors = [];
    const poller = new poll_1.Poller({
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
    node_assert_1.strict.ok(calls >= 2 && errors.length === calls);
    node_assert_1.strict.ok(poller.delay > 5, 'backs off while failing');
    fail = false;
    await poller.tick();
    node_assert_1.strict.equal(poller.delay, 5, 'back to the interval after a success');
    poller.stop();
    const stoppedAt = calls;
    await new Promise(resolve => setTimeout(resolve, 30));
    node_assert_1.strict.equal(calls, stoppedAt, 'no tick after stop');
    node_assert_1.strict.ok(!poller.active);
});
