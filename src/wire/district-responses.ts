/** The `data` of `GET /districts` and `POST /districts/search`, as src/http/formatters/district.ts writes it. */
import Type from 'typebox';

const Text = Type.String();

const Level = Type.Enum(['Country', 'Province', 'City', 'District']);

const DistrictRef = Type.Object({ id: Text, name: Text, level: Level });

const DistrictItem = Type.Object({
  ...DistrictRef.properties,
  has_sub_district: Type.Boolean(),
  /** Leaf towards root, without the district itself: `leaf_level` lists and search results only. */
  parent_districts: Type.Optional(Type.Array(DistrictRef)),
});

export const DistrictPage = Type.Object({
  version: Text,
  has_more: Type.Boolean(),
  /** Only while `has_more`. */
  page_token: Type.Optional(Text),
  items: Type.Array(DistrictItem),
});
