import assert from 'node:assert/strict';
import { test } from 'node:test';
import { englishName } from './english-name.js';
import { ancestorsOf, CHINA_ID, DistrictTree, type DivisionRecords } from './tree.js';

const RECORDS: DivisionRecords = {
  provinces: [
    { code: '11', name: '北京市' },
    { code: '33', name: '浙江省' },
  ],
  cities: [
    { code: '1101', name: '市辖区', provinceCode: '11' },
    { code: '3301', name: '杭州市', provinceCode: '33' },
    { code: '3390', name: '省直辖县级行政区划', provinceCode: '33' },
  ],
  areas: [
    { code: '110101', name: '东城区', cityCode: '1101' },
    { code: '330106', name: '西湖区', cityCode: '3301' },
    { code: '339001', name: '某市', cityCode: '3390' },
  ],
};

const tree = new DistrictTree(RECORDS, (chinese) => `en ${chinese}`);

test('the tree has one Country root, China under its Feishu id, above 6-digit GB/T codes', () => {
  assert.deepEqual(tree.countries.map((c) => [c.id, c.level]), [[CHINA_ID, 'Country']]);
  assert.deepEqual(tree.countries[0]!.children.map((p) => [p.id, p.level]), [['110000', 'Province'], ['330000', 'Province']]);
  assert.deepEqual(tree.find('330100')?.children.map((d) => [d.id, d.level]), [['330106', 'District']]);
});

test("grouping rows (a municipality's 市辖区, a province's directly governed counties) are skipped: their districts hang from the province", () => {
  assert.deepEqual(tree.find('110000')?.children.map((d) => d.id), ['110101']);
  assert.deepEqual(tree.find('330000')?.children.map((d) => d.id), ['330100', '339001']);
  assert.equal(tree.find('110100'), undefined);
});

test('leaves below a node come in tree order; ancestors run from the parent up to the country', () => {
  assert.deepEqual(tree.leavesUnder(undefined).map((d) => d.id), ['110101', '330106', '339001']);
  assert.deepEqual(tree.leavesUnder(tree.find('330000')).map((d) => d.id), ['330106', '339001']);
  assert.deepEqual(tree.leavesUnder(tree.find('330106')), []);
  assert.deepEqual(ancestorsOf(tree.find('330106')!).map((d) => d.id), ['330100', '330000', CHINA_ID]);
});

test('a keyword matches either name, ignoring case and spaces', () => {
  assert.deepEqual(tree.search('西湖').map((d) => d.id), ['330106']);
  assert.deepEqual(tree.search('EN 西').map((d) => d.id), ['330106']);
});

test('an English name is the pinyin of the name without its suffix, then the suffix in English', () => {
  assert.equal(englishName('西湖区', () => ['xi', 'hu']), 'Xihu District');
  assert.equal(englishName('杭州市', () => ['hang', 'zhou']), 'Hangzhou');
  assert.equal(englishName('延边朝鲜族自治州', () => ['yan', 'bian']), 'Yanbian Autonomous Prefecture');
  assert.equal(englishName('区', () => ['qu']), 'Qu');
});
