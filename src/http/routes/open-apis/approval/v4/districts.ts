/** `/districts`: the Node SDK's `district` list and search (the address widget's divisions). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../../../../services/index.js';
import {
  DEFAULT_DISTRICT_LOCALE,
  DEFAULT_DISTRICT_PAGE_SIZE,
  ListDistrictsQuery,
  SearchDistrictsBody,
  SearchDistrictsQuery,
} from '../../../../../wire/district-requests.js';
import { DistrictPage } from '../../../../../wire/district-responses.js';
import { answers } from '../../../../../wire/responses.js';
import { success } from '../../../../feishu-envelope.js';
import { answer } from '../../../../refusal-answer.js';
import { formatDistrictPage } from '../../../../formatters/district.js';

/** Each route's schema; `operationId` names the Node SDK's method. */
const schemas = {
  list: {
    operationId: 'approval.v4.district.list',
    summary: "A district's sub-districts, or every leaf district below it",
    querystring: ListDistrictsQuery,
    response: answers(DistrictPage),
  },
  search: {
    operationId: 'approval.v4.district.search',
    summary: 'Districts by id, or by a keyword in their names',
    querystring: SearchDistrictsQuery,
    body: SearchDistrictsBody,
    response: answers(DistrictPage),
  },
};

export const districtRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get('/districts', { schema: schemas.list }, async (request, reply) => {
    const { root_district_id, list_type = 'sub_level', page_token } = request.query;
    const { locale = DEFAULT_DISTRICT_LOCALE, page_size = DEFAULT_DISTRICT_PAGE_SIZE } = request.query;
    const found = await services.districts.list({
      rootDistrictId: root_district_id || undefined,
      listType: list_type,
      pageSize: page_size,
      pageToken: page_token || undefined,
    });
    return answer(reply, found, (page) => success(formatDistrictPage(page, locale)));
  });

  app.post('/districts/search', { schema: schemas.search }, async (request, reply) => {
    const { locale = DEFAULT_DISTRICT_LOCALE, page_size = DEFAULT_DISTRICT_PAGE_SIZE, page_token } = request.query;
    const found = await services.districts.search({
      districtIds: request.body.district_ids,
      keyword: request.body.keyword,
      pageSize: page_size,
      pageToken: page_token || undefined,
    });
    return answer(reply, found, (page) => success(formatDistrictPage(page, locale)));
  });
};
