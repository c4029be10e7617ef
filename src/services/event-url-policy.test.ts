import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EventUrlPolicy, EventUrlRefused } from './event-url-policy.js';

const strict = new EventUrlPolicy({ allowLoopback: false, allowPrivate: false });
const emulator = new EventUrlPolicy({ allowLoopback: true, allowPrivate: false });
const open = new EventUrlPolicy({ allowLoopback: false, allowPrivate: true });

describe('which addresses an event push may reach', () => {
  const internal = [
    '127.0.0.1',
    '127.9.9.9',
    '::1',
    '::ffff:127.0.0.1',
    '10.0.0.5',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:10.0.0.5',
  ];

  test('outside emulator mode, loopback, private, link-local (the metadata address) and reserved ones are refused', () => {
    for (const address of internal) assert.ok(strict.refusal(address), address);
  });

  test('public addresses are allowed', () => {
    for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111']) assert.equal(strict.refusal(address), undefined, address);
  });

  test('emulator mode allows the loopback only', () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) assert.equal(emulator.refusal(address), undefined, address);
    for (const address of ['10.0.0.5', '169.254.169.254', 'fe80::1']) assert.ok(emulator.refusal(address), address);
  });

  test('SHENPI_ALLOW_PRIVATE_EVENT_URLS allows every address', () => {
    for (const address of internal) assert.equal(open.refusal(address), undefined, address);
  });
});

describe('checking an event URL when it is set', () => {
  const refused = (policy: EventUrlPolicy, url: string, why: RegExp) =>
    assert.rejects(policy.check(url), (err: unknown) => err instanceof EventUrlRefused && why.test(err.message));

  test('only http and https are taken', async () => {
    await refused(open, 'file:///etc/passwd', /must be http or https, not file:/);
    await refused(open, 'gopher://example.com/', /not gopher:/);
    await refused(open, 'not a url', /is not a URL/);
  });

  test('an address written in the URL is judged as it is', async () => {
    await refused(strict, 'http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a private, link-local or reserved address/);
    await refused(strict, 'http://[::1]:9000/hook', /::1 is a loopback address/);
    await emulator.check('http://127.0.0.1:9000/hook');
  });

  test('a host name is judged by the addresses it resolves to', async () => {
    await refused(strict, 'http://localhost:9000/hook', /localhost is refused: .* loopback/);
    await emulator.check('http://localhost:9000/hook');
  });

  test('a send checks the scheme and an address in the URL itself', () => {
    assert.throws(() => strict.checkSend('http://10.0.0.5/hook'), EventUrlRefused);
    assert.throws(() => strict.checkSend('file:///etc/passwd'), EventUrlRefused);
    emulator.checkSend('http://127.0.0.1:1/hook');
  });
});
