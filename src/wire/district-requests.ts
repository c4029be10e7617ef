/** The request shapes of `GET /districts` and `POST /districts/search` (the Node SDK's `district` typings). */
import Type from 'typebox';
import { PageSize } from './approval-requests.js';

const Text = Type.String();

/** Feishu answers English unless asked for Chinese. */
export const DEFAULT_DISTRICT_LOCALE = 'en-US';
const Locale = Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en-US')], { default: DEFAULT_DISTRICT_LOCALE }));

/** Feishu documents page_size 1–100, default 20, for the list; the search pages the same way. */
export const DEFAULT_DISTRICT_PAGE_SIZE = 20;
const DistrictPageSize = PageSize(1, 100, DEFAULT_DISTRICT_PAGE_SIZE);

export const ListDistrictsQuery = Type.Object({
  page_size: DistrictPageSize,
  page_token: Type.Optional(Text),
  root_district_id: Type.Optional(Text),
  list_type: Type.Optional(Type.Union([Type.Literal('sub_level'), Type.Literal('leaf_level')], { default: 'sub_level' })),
  locale: Locale,
});

export const SearchDistrictsQuery = Type.Object({
  locale: Locale,
  page_size: DistrictPageSize,
  page_token: Type.Optional(Text),
});

export const SearchDistrictsBody = Type.Object({
  district_ids: Type.Optional(Type.Array(Text)),
  keyword: Type.Optional(Text),
});
