/**
 * English names for Chinese divisions, which the data set does not carry: the pinyin of the name without its
 * administrative suffix, then the suffix in English ("西湖区" → "Xihu District", "杭州市" → "Hangzhou").
 * A transliteration, not an official English name ("陕西省" reads "Shanxi", as "山西省" does).
 */
import type { DistrictLevel } from './tree.js';

/** Longest first, so that "自治县" is read before "县". Provinces and cities carry no English suffix. */
const SUFFIXES: readonly [string, string][] = [
  ['特别行政区', ' SAR'],
  ['自治区', ' Autonomous Region'],
  ['自治州', ' Autonomous Prefecture'],
  ['自治县', ' Autonomous County'],
  ['自治旗', ' Autonomous Banner'],
  ['地区', ' Prefecture'],
  ['林区', ' Forestry District'],
  ['新区', ' New Area'],
  ['特区', ' Special District'],
  ['区', ' District'],
  ['县', ' County'],
  ['旗', ' Banner'],
  ['盟', ' League'],
  ['省', ''],
  ['市', ''],
];

/** `toPinyin` gives the toneless syllables of a Chinese text. */
export function englishName(chinese: string, toPinyin: (text: string) => string[]): string {
  const suffix = SUFFIXES.find(([zh]) => chinese.endsWith(zh) && chinese.length > zh.length);
  const stem = suffix ? chinese.slice(0, -suffix[0].length) : chinese;
  const romanised = toPinyin(stem).join('');
  return romanised.charAt(0).toUpperCase() + romanised.slice(1) + (suffix?.[1] ?? '');
}

/** The Country root is named as the world knows it, not transliterated. */
export const englishNameOf =
  (toPinyin: (text: string) => string[]) =>
  (chinese: string, level: DistrictLevel): string =>
    level === 'Country' && chinese === '中国' ? 'China' : englishName(chinese, toPinyin);
