/** The fixture file format of contract.md, as a TypeBox schema: unknown keys are refused, not ignored. */
import Type, { type Static } from 'typebox';

const Id = Type.String({ minLength: 1, maxLength: 128 });
const closed = { additionalProperties: false } as const;

export const FixtureAppSchema = Type.Object(
  {
    app_id: Id,
    app_secret: Type.String({ minLength: 1, maxLength: 256 }),
    event: Type.Optional(
      Type.Object(
        {
          url: Type.String({ minLength: 1 }),
          encrypt_key: Type.Optional(Type.String()),
          verification_token: Type.Optional(Type.String()),
          /** Event type names (domain/event-types.ts); checked by the loader, which names the bad one's path. */
          types: Type.Optional(Type.Array(Type.String())),
        },
        closed,
      ),
    ),
  },
  closed,
);

export const FixtureDepartmentSchema = Type.Object(
  {
    department_id: Id,
    open_department_id: Type.Optional(Id),
    name: Type.String({ minLength: 1 }),
    parent_department_id: Type.Optional(Type.String()),
    leader_user_id: Type.Optional(Id),
  },
  closed,
);

export const FixtureUserSchema = Type.Object(
  {
    user_id: Id,
    open_id: Type.Optional(Id),
    union_id: Type.Optional(Id),
    name: Type.Optional(Type.String()),
    department_ids: Type.Optional(Type.Array(Id)),
    leader_user_id: Type.Optional(Id),
  },
  closed,
);

export const FixtureTenantSchema = Type.Object(
  {
    tenant_key: Id,
    name: Type.Optional(Type.String()),
    apps: Type.Optional(Type.Array(FixtureAppSchema)),
    departments: Type.Optional(Type.Array(FixtureDepartmentSchema)),
    users: Type.Optional(Type.Array(FixtureUserSchema)),
    // Each entry is a create-approval body; the approval service validates it.
    approvals: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()))),
  },
  closed,
);

export const FixtureSchema = Type.Object({ tenants: Type.Array(FixtureTenantSchema) }, closed);

export type Fixture = Static<typeof FixtureSchema>;
export type FixtureTenant = Static<typeof FixtureTenantSchema>;
