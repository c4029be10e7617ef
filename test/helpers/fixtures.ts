/** Fixture documents shared by the tests. */

export const GLOBEX_APP = { app_id: 'cli_globex', app_secret: 'globex-secret' } as const;

/** A second tenant whose people carry the same id strings as the demo tenant's (allowed across tenants). */
export const globexFixture = () => ({
  tenants: [
    {
      tenant_key: 'globex',
      name: 'Globex Corp',
      apps: [{ ...GLOBEX_APP }],
      departments: [{ department_id: 'eng', open_department_id: 'od-eng', name: 'Globex Engineering', leader_user_id: 'u_bob' }],
      users: [
        { user_id: 'u_alice', open_id: 'ou_alice', union_id: 'on_alice', name: 'Alice of Globex', department_ids: ['eng'], leader_user_id: 'u_bob' },
        { user_id: 'u_bob', open_id: 'ou_bob', union_id: 'on_bob', name: 'Bob of Globex', department_ids: ['eng'] },
      ],
    },
  ],
});
