/** How a refusal is answered, whether a service returned it or threw it (app.ts's error handler). */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Refusal, Result } from '../domain/errors.js';
import { errorBody, httpStatusOf, type FeishuErrorBody } from './feishu-envelope.js';

/** Sets the refusal's HTTP status and answers its envelope; on a route with a paramErrorCode, that code stands for 1390001. */
export function answerRefusal(request: FastifyRequest, reply: FastifyReply, refusal: Refusal): FeishuErrorBody {
  const paramErrorCode = request.routeOptions.config.paramErrorCode;
  const code = refusal.code === 1390001 && paramErrorCode ? paramErrorCode : refusal.code;
  reply.code(httpStatusOf(code));
  return errorBody(code, refusal.reason, request.id);
}

/**
 * A service's Result as the route's answer: its value formatted, or its refusal's envelope. A route whose
 * refusals are frequent answers this way rather than through a throw, which in a busy server costs a refused
 * request about a tenth of its CPU.
 */
export function answer<T, A>(reply: FastifyReply, result: Result<T>, format: (value: T) => A): A | FeishuErrorBody {
  return result.ok ? format(result.value) : answerRefusal(reply.request, reply, result.refusal);
}
