/**
 * The Feishu envelope as TypeBox schemas: the routes declare their answers with `answers(Data)`, which the
 * OpenAPI document (/openapi.json) publishes and the type provider checks the handlers against. They
 * never filter an answer: the app writes every answer with plain JSON.stringify (src/http/app.ts).
 */
import Type, { type TSchema } from 'typebox';

export const ErrorEnvelope = Type.Object(
  {
    code: Type.Integer({ description: 'the Feishu error code, never 0' }),
    msg: Type.String({ description: "the code's documented message" }),
    error: Type.Object({
      log_id: Type.String(),
      troubleshooter: Type.String({ description: "Feishu's troubleshooting sentence and search URL (text)" }),
      details: Type.Array(Type.Object({ key: Type.Literal('reason'), value: Type.String() })),
    }),
  },
  { description: 'A refusal: the Feishu error envelope' },
);

/** `{code: 0, msg: "success", data}`. */
export const Success = <T extends TSchema>(data: T) =>
  Type.Object(
    { code: Type.Literal(0), msg: Type.Literal('success'), data },
    { description: 'Success: the Feishu envelope with code 0' },
  );

/** The answers of an Open API route whose success carries `data`: any refusal is a 4xx error envelope. */
export const answers = <T extends TSchema>(data: T) => ({ 200: Success(data), '4xx': ErrorEnvelope });

/** The answers of an Open API route whose success is `{code: 0, msg: "success"}` alone, without `data`. */
export const acknowledges = () => ({
  200: Type.Object(
    { code: Type.Literal(0), msg: Type.Literal('success') },
    { description: 'Success: the Feishu envelope with code 0 and no data' },
  ),
  '4xx': ErrorEnvelope,
});

/** The `data` of an action that answers nothing but success. */
export const Empty = Type.Object({});

/** Feishu's times: epoch milliseconds as a string of digits, "0" while unset. */
export const EpochMsText = Type.String({ pattern: '^\\d+$' });
