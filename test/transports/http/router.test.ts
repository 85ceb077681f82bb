import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_URL_BYTES, parseTarget, type Route } from '../../../src/transports/http/router.js';
import { isCamwireError } from '../../../src/util/errors.js';

describe('http router', () => {
  const ROUTES: [string, Route][] = [
    ['/', { kind: 'static', file: 'index.html' }],
    ['/?stream=lab&token=x', { kind: 'static', file: 'index.html' }],
    ['/app.js', { kind: 'static', file: 'app.js' }],
    ['/streams/lab.mjpeg', { kind: 'mjpeg', stream: 'lab' }],
    ['/streams/yard/cam1.jpg', { kind: 'snapshot', stream: 'yard/cam1' }],
    ['/streams/v1.2.jpg', { kind: 'snapshot', stream: 'v1.2' }],
    ['/streams/lab%2Fcam.jpg', { kind: 'snapshot', stream: 'lab/cam' }],
    ['/api/streams', { kind: 'streams' }],
    ['/metrics', { kind: 'metrics' }],
    ['/healthz', { kind: 'healthz' }],
    ['/ws?token=abc', { kind: 'ws' }],
  ];
  for (const [target, route] of ROUTES) {
    it(`routes GET ${target}`, () => assert.deepEqual(parseTarget('GET', target).route, route));
  }

  it('reads the query string', () => {
    assert.equal(parseTarget('GET', '/metrics?token=s3cret').query.get('token'), 's3cret');
  });

  const BAD: [string, string, string, string][] = [
    ['a .. segment', 'GET', '/streams/../metrics', 'CAMWIRE_ERR_BAD_REQUEST'],
    ['an encoded .. segment', 'GET', '/streams/%2e%2e/%2e%2e/etc/passwd.jpg', 'CAMWIRE_ERR_BAD_REQUEST'],
    ['a . segment', 'GET', '/./metrics', 'CAMWIRE_ERR_BAD_REQUEST'],
    ['a double slash', 'GET', '//metrics', 'CAMWIRE_ERR_BAD_REQUEST'],
    ['a backslash', 'GET', '/streams/..%5C..%5Cx.jpg', 'CAMWIRE_ERR_BAD_REQUEST'],
    ['a NUL byte', 'GET', '/app.js%00.png', 'CAMWIRE_ERR_BAD_REQUEST'],
    ['a broken percent-escape', 'GET', '/streams/%zz.jpg', 'CAMWIRE_ERR_BAD_REQUEST'],
    ['an absolute-form target', 'GET', 'http://evil.example/metrics', 'CAMWIRE_ERR_BAD_REQUEST'],
    ['an asterisk target', 'OPTIONS', '*', 'CAMWIRE_ERR_BAD_REQUEST'],
    ['a stream name starting with a dot', 'GET', '/streams/.hidden.jpg', 'CAMWIRE_ERR_BAD_STREAM_NAME'],
    ['a stream name too long', 'GET', `/streams/${'x'.repeat(65)}.jpg`, 'CAMWIRE_ERR_BAD_STREAM_NAME'],
    ['an unknown path', 'GET', '/admin', 'CAMWIRE_ERR_NOT_FOUND'],
    ['an unknown file type', 'GET', '/secret.txt', 'CAMWIRE_ERR_NOT_FOUND'],
    ['a trailing slash', 'GET', '/metrics/', 'CAMWIRE_ERR_NOT_FOUND'],
    ['a stream without extension', 'GET', '/streams/lab', 'CAMWIRE_ERR_NOT_FOUND'],
    ['POST', 'POST', '/api/streams', 'CAMWIRE_ERR_METHOD_NOT_ALLOWED'],
    ['DELETE', 'DELETE', '/streams/lab.jpg', 'CAMWIRE_ERR_METHOD_NOT_ALLOWED'],
    ['a target over the limit', 'GET', '/?' + 'x'.repeat(MAX_URL_BYTES), 'CAMWIRE_ERR_URL_TOO_LONG'],
  ];
  for (const [name, method, target, code] of BAD) {
    it(`refuses ${name} with ${code}`, () => {
      assert.throws(() => parseTarget(method, target), (e: unknown) => isCamwireError(e, code as never));
    });
  }
});
