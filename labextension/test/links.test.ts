import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { isSafeLink } from '../src/links';

test('http(s) and same-origin relative URLs may be links', () => {
  for (const url of [
    'http://example.org/a.csv',
    'HTTPS://example.org/a',
    'http://127.0.0.1:8888/runlab/api/runs/u/0/artifacts/k?download=1',
    '/runlab/api/runs/u/0/artifacts/k',
    'files/data.csv',
    './a:b.csv',
    '?page=2'
  ]) {
    assert.ok(isSafeLink(url), url);
  }
});

test('script, data, data-store and protocol-relative URLs are never links', () => {
  for (const url of [
    'javascript://%0aalert(1)',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    '\u0001javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    '//evil.example/x',
    '/\\evil.example/x',
    '\\\\evil.example/x',
    's3://bucket/key.csv',
    'file:///etc/passwd',
    'memory://k',
    'store://artifacts/p/k',
    'a:b.csv',
    '',
    null,
    42
  ]) {
    assert.ok(!isSafeLink(url), JSON.stringify(url));
  }
});
