/**
 * The address widget's administrative divisions (`GET /districts`, `POST /districts/search`) as one tree built
 * once from a data set's records: a Country root (China, under Feishu's own id for it) above the data set's
 * provinces, cities and county-level districts. Pure: the records and the English names come from outside.
 */

/** One consistent spelling of Feishu's levels (its examples mix `Country`, `Province`, `city`, `district`). */
export type DistrictLevel = 'Country' | 'Province' | 'City' | 'District';

export type DistrictLocale = 'zh-CN' | 'en-US';

export interface District {
  id: string;
  level: DistrictLevel;
  name: Record<DistrictLocale, string>;
  parent: District | undefined;
  children: District[];
}

/** The records of the data set (National Bureau of Statistics codes: 2 digits, 4 digits, 6 digits). */
export interface DivisionRecords {
  provinces: readonly { code: string; name: string }[];
  cities: readonly { code: string; name: string; provinceCode: string }[];
  areas: readonly { code: string; name: string; cityCode: string }[];
}

/** Feishu's id for China (its GeoNames id), so that Feishu's documented examples name the same root. */
export const CHINA_ID = '1814991';

/**
 * City-tier rows that only group districts ("districts under the municipality", "county-level divisions
 * governed by the province"): an address picker shows none of them, so their districts hang from the province.
 */
const GROUPING_NAMES = new Set(['市辖区', '县', '省直辖县级行政区划', '自治区直辖县级行政区划']);

/** The data set's 2- and 4-digit codes as the 6-digit GB/T 2260 codes people know (33 → 330000). */
const gbCode = (code: string): string => code.padEnd(6, '0');

export type EnglishName = (chinese: string, level: DistrictLevel) => string;

export class DistrictTree {
  /** Every district but the Country root's invisible parent, in the data set's order (parents first). */
  readonly all: readonly District[];
  /** The districts directly under the tree's root: the countries. */
  readonly countries: readonly District[];
  private readonly byId: ReadonlyMap<string, District>;

  constructor(records: DivisionRecords, englishName: EnglishName) {
    const all: District[] = [];
    const add = (id: string, chinese: string, level: DistrictLevel, parent: District | undefined): District => {
      const district: District = { id, level, name: { 'zh-CN': chinese, 'en-US': englishName(chinese, level) }, parent, children: [] };
      parent?.children.push(district);
      all.push(district);
      return district;
    };
    const china = add(CHINA_ID, '中国', 'Country', undefined);
    const provinces = new Map(records.provinces.map((p) => [p.code, add(gbCode(p.code), p.name, 'Province', china)]));
    const cities = new Map<string, District>();
    for (const city of records.cities) {
      const province = provinces.get(city.provinceCode);
      if (!province) continue;
      cities.set(city.code, GROUPING_NAMES.has(city.name) ? province : add(gbCode(city.code), city.name, 'City', province));
    }
    for (const area of records.areas) {
      const parent = cities.get(area.cityCode);
      if (parent && !GROUPING_NAMES.has(area.name)) add(area.code, area.name, 'District', parent);
    }
    this.all = all;
    this.countries = [china];
    this.byId = new Map(all.map((district) => [district.id, district]));
  }

  find(id: string): District | undefined {
    return this.byId.get(id);
  }

  /** Every district without sub-districts below `root` (the whole tree when absent), in tree order. */
  leavesUnder(root: District | undefined): District[] {
    const leaves: District[] = [];
    const walk = (district: District) => {
      if (district.children.length === 0) leaves.push(district);
      else district.children.forEach(walk);
    };
    if (root) root.children.forEach(walk);
    else this.countries.forEach(walk);
    return leaves;
  }

  /**
   * The districts whose name in either locale holds `keyword`, ignoring case and spaces ("杭州", "hangzhou",
   * "Xihu District"), in tree order.
   */
  search(keyword: string): District[] {
    const wanted = fold(keyword);
    return this.all.filter((district) => fold(district.name['zh-CN']).includes(wanted) || fold(district.name['en-US']).includes(wanted));
  }
}

const fold = (text: string): string => text.replace(/\s+/g, '').toLowerCase();

/** The ancestors of `district` from its parent up to its country (Feishu: leaf towards root, leaf excluded). */
export function ancestorsOf(district: District): District[] {
  const ancestors: District[] = [];
  for (let at = district.parent; at; at = at.parent) ancestors.push(at);
  return ancestors;
}
