/** Districts → the exact `data` of `GET /districts` and `POST /districts/search`, in one locale. */
import { ancestorsOf, type District, type DistrictLocale } from '../../domain/districts/tree.js';
import type { DistrictPage } from '../../services/district-service.js';

const reference = (district: District, locale: DistrictLocale) => ({
  id: district.id,
  name: district.name[locale],
  level: district.level,
});

export function formatDistrictPage(page: DistrictPage, locale: DistrictLocale) {
  return {
    version: page.version,
    has_more: page.hasMore,
    // Feishu documents page_token only while has_more.
    ...(page.hasMore ? { page_token: page.pageToken } : {}),
    items: page.items.map((district) => ({
      ...reference(district, locale),
      has_sub_district: district.children.length > 0,
      ...(page.withParents ? { parent_districts: ancestorsOf(district).map((parent) => reference(parent, locale)) } : {}),
    })),
  };
}
