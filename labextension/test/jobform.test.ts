import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import type { ISourceInfo, ISourceParam } from '../src/api';
import { IJobForm, initialText, jobRequest, kernelCode, parseValue, rerunChanges } from '../src/jobdialog/form';

const param = (name: string, type: ISourceParam['type'], value: unknown, literal = true): ISourceParam => ({
  name, annotation: '', type, required: false, default: value, literal, default_text: JSON.stringify(value)
});

const LR = param('lr', 'float', 0.1);
const EPOCHS = param('epochs', 'int', 3);
const TAGS = param('tags', 'list', ['a']);
const INFO: ISourceInfo = {
  path: 'jobs/trainer.py', kind: 'python', parameters: [], has_parameters_cell: false,
  functions: [{ name: 'train', doc: '', params: [LR, EPOCHS, TAGS], context: true, kwargs: false }]
};

const form = (changes: Partial<IJobForm> = {}): IJobForm => ({
  path: 'jobs/trainer.py', project: 'demo', kind: 'job', handler: 'train', name: '',
  params: { lr: '0.5', epochs: '3', tags: '["a", "b"]' }, inputs: [{ key: 'data', value: 'data.csv' }, { key: ' ', value: 'x' }],
  labels: [{ key: 'team', value: 'a' }], scheduled: false, cron: '', timezone: '', ...changes
});

test('a param text parses by its type; what does not parse is sent as text for the server to name', () => {
  assert.equal(parseValue('int', ' 12 '), 12);
  assert.equal(parseValue('int', '2.5'), 2.5);
  assert.equal(parseValue('int', 'three'), 'three');
  assert.equal(parseValue('float', '1e-3'), 0.001);
  assert.equal(parseValue('float', 'fast'), 'fast');
  assert.equal(parseValue('bool', 'True'), true);
  assert.equal(parseValue('str', ' spaced '), ' spaced ');
  assert.deepEqual(parseValue('any', '{"a": 1}'), { a: 1 });
  assert.equal(parseValue('any', 'not json'), 'not json');
  assert.equal(parseValue('int', '   '), undefined);
});

test('a param starts from the recorded value, else from a literal default', () => {
  assert.equal(initialText(LR), '0.1');
  assert.equal(initialText(LR, { lr: 0.7 }), '0.7');
  assert.equal(initialText(param('mode', 'str', 'fast')), 'fast');
  assert.equal(initialText(param('when', 'any', null, false)), '');
});

test('the request carries typed params, non-empty inputs and labels, and the schedule when asked', () => {
  const request = jobRequest(form({ scheduled: true, cron: ' @daily ', timezone: 'UTC' }), INFO.functions[0].params, true);
  assert.deepEqual(request.params, { lr: 0.5, epochs: 3, tags: ['a', 'b'] });
  assert.deepEqual(request.inputs, { data: 'data.csv' });
  assert.deepEqual(request.labels, { team: 'a' });
  assert.deepEqual(request.schedule, { cron: '@daily', timezone: 'UTC', concurrency: 'forbid' });
  assert.equal(request.validate_only, true);
  assert.equal(jobRequest(form({ kind: 'kernel' }), [], false).kind, 'job');
});

test('a rerun sends only what changed', () => {
  const recorded = { params: { lr: 0.5, epochs: 3, tags: ['a'] }, inputs: { data: 'data.csv' }, labels: { team: 'a' }, handler: 'train' };
  assert.deepEqual(rerunChanges(form(), INFO.functions[0].params, recorded),
    { params: { tags: ['a', 'b'] }, inputs: {}, labels: {} });
  assert.equal(rerunChanges(form({ handler: 'other' }), [], recorded).handler, 'other');
});

test('the kernel code runs the handler in this process with paths under the root', () => {
  const code = kernelCode(form({ name: 'quick' }), INFO.functions[0].params, '/home/me/');
  assert.match(code, /code_to_function\(filename="\/home\/me\/jobs\/trainer\.py", kind="local", project="demo", handler="train"\)/);
  assert.match(code, /params=_json\.loads\("\{\\"lr\\":0\.5,\\"epochs\\":3,\\"tags\\":\[\\"a\\",\\"b\\"\]\}"\)/);
  assert.match(code, /inputs=_json\.loads\("\{\\"data\\":\\"\/home\/me\/data\.csv\\"\}"\)/);
  assert.match(code, /\.run\(name="quick", params=/);
});
