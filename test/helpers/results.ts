/** What the tests of services' refusals as values compare: a Result as 'ok' or its refusal. */
import type { Result } from '../../src/domain/errors.js';

/** 'ok', or the refusal's Feishu code. */
export const codeOf = (answer: Result<unknown>) => (answer.ok ? 'ok' : answer.refusal.code);

/** 'ok', or the refusal's code and reason ("1390001 the reason"), for matching both. */
export const refusalOf = (answer: Result<unknown>) => (answer.ok ? 'ok' : `${answer.refusal.code} ${answer.refusal.reason}`);
