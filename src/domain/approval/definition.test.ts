import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDefinition, resolveText, type DefinitionInput, type I18nResource, type NodeInput } from './definition.js';
import { nodeIdFrom } from './ids.js';
import { accepted, assertRefused, counterIds, definitionBody } from './test-support.js';

/** A valid body with the approval nodes (between START and END) replaced. */
function withNodes(...nodes: NodeInput[]): DefinitionInput {
  const body = definitionBody();
  body.node_list = [{ id: 'START' }, ...nodes, { id: 'END' }];
  body.i18n_resources[0]?.texts.push(...nodes.map((n) => ({ key: n.name ?? '', value: 'x' })));
  return body;
}

const parse = (body: DefinitionInput) => parseDefinition(body, counterIds());

describe('parsing a create-approval body', () => {
  test('a valid body keeps the approval nodes only, without START and END', () => {
    const draft = accepted(parse(definitionBody()));
    assert.equal(draft.nodes.length, 1);
    assert.equal(draft.nodes[0]?.customNodeId, 'node1');
    assert.equal(draft.nodes[0]?.name, '@i18n@node1');
    assert.deepEqual(draft.nodes[0]?.approvers, [{ type: 'Personal', userId: 'u_bob', level: 1 }]);
  });

  test('system node ids are drawn from the id source, one per node in order', () => {
    const ids = counterIds();
    const body = withNodes(
      { id: 'a', approver: [{ type: 'Supervisor' }] },
      { id: 'b', approver: [{ type: 'Supervisor' }] },
    );
    const draft = accepted(parseDefinition(body, ids));
    assert.deepEqual(ids.issued, ['1001', '1002']);
    assert.deepEqual(
      draft.nodes.map((n) => n.nodeId),
      [nodeIdFrom('1001'), nodeIdFrom('1002')],
    );
    assert.match(draft.nodes[0]?.nodeId ?? '', /^[0-9a-f]{32}$/);
  });

  test('a refused body draws no ids', () => {
    const ids = counterIds();
    const body = definitionBody();
    body.settings = { revert_option: 5 };
    parseDefinition(body, ids);
    assert.deepEqual(ids.issued, []);
  });

  test('node_type defaults to AND and level to 1', () => {
    const draft = accepted(parse(withNodes({ id: 'n', approver: [{ type: 'Supervisor' }] })));
    assert.equal(draft.nodes[0]?.nodeType, 'AND');
    assert.equal(draft.nodes[0]?.approvers[0]?.level, 1);
  });

  test('level is read from a string or a number', () => {
    const draft = accepted(
      parse(withNodes({ id: 'n', approver: [{ type: 'Supervisor', level: '3' }, { type: 'DepartmentManager', level: 2 }] })),
    );
    assert.deepEqual(
      draft.nodes[0]?.approvers.map((a) => a.level),
      [3, 2],
    );
  });

  test('a node with a Free approver needs the submitter to choose approvers', () => {
    const draft = accepted(
      parse(withNodes({ id: 'n', node_type: 'SEQUENTIAL', approver: [{ type: 'Free' }], approver_chosen_multi: true })),
    );
    assert.equal(draft.nodes[0]?.needApprover, true);
    assert.equal(draft.nodes[0]?.approverChosenMulti, true);
    assert.equal(accepted(parse(definitionBody())).nodes[0]?.needApprover, false);
  });

  test('require_signature is kept on the node', () => {
    const draft = accepted(
      parse(withNodes({ id: 'n', approver: [{ type: 'Personal', user_id: 'u' }], require_signature: true })),
    );
    assert.equal(draft.nodes[0]?.requireSignature, true);
  });

  test('settings default to revert_option 1, 31 days, reject_option 0, quick approval 1', () => {
    const body = definitionBody();
    delete body.settings;
    assert.deepEqual(accepted(parse(body)).settings, {
      revertOption: 1,
      revertInterval: 2678400,
      rejectOption: 0,
      quickApprovalOption: 1,
    });
  });

  test('given settings are kept', () => {
    const body = definitionBody();
    body.settings = { revert_option: 0, revert_interval: 0, reject_option: 1, quick_approval_option: 0 };
    assert.deepEqual(accepted(parse(body)).settings, {
      revertOption: 0,
      revertInterval: 0,
      rejectOption: 1,
      quickApprovalOption: 0,
    });
  });

  test('widgets are read from form_content, which is also kept as given', () => {
    const draft = accepted(parse(definitionBody()));
    assert.equal(draft.formContent, definitionBody().form.form_content);
    assert.deepEqual(
      draft.form.map(({ id, type, name, required }) => ({ id, type, name, required })),
      [{ id: 'widget1', type: 'input', name: '@i18n@widget1', required: true }],
    );
  });

  test('radio options are read from the widget', () => {
    const body = definitionBody();
    body.form.form_content = JSON.stringify([
      { id: 'w', type: 'radioV2', value: [{ key: 'a', text: 'A' }, { key: 'b', text: 'B' }] },
    ]);
    assert.deepEqual(accepted(parse(body)).form[0]?.options, [
      { value: 'a', text: 'A' },
      { value: 'b', text: 'B' },
    ]);
  });

  test('i18n texts become a map per locale', () => {
    const draft = accepted(parse(definitionBody()));
    assert.deepEqual(draft.i18n[0], {
      locale: 'zh-CN',
      isDefault: true,
      texts: { '@i18n@approval_name': 'Leave', '@i18n@widget1': 'Reason', '@i18n@node1': 'Manager' },
    });
  });

  test('viewers, icon and process managers are carried over', () => {
    const body = definitionBody();
    body.viewers = [{ viewer_type: 'USER', viewer_user_id: 'u_amy' }, { viewer_type: 'DEPARTMENT', viewer_department_id: 'eng' }];
    body.icon = 3;
    body.process_manager_ids = ['u_admin'];
    const draft = accepted(parse(body));
    assert.deepEqual(draft.viewers, [
      { type: 'USER', userId: 'u_amy' },
      { type: 'DEPARTMENT', departmentId: 'eng' },
    ]);
    assert.equal(draft.icon, 3);
    assert.deepEqual(draft.processManagerIds, ['u_admin']);
  });
});

describe('create-approval refusals (1390001, naming the field)', () => {
  const refusedWith = (body: DefinitionInput, reason: RegExp) => assertRefused(parse(body), 1390001, reason);
  const withForm = (content: string) => {
    const body = definitionBody();
    body.form.form_content = content;
    return body;
  };

  test('form_content that is not JSON', () => refusedWith(withForm('[{'), /form\.form_content is not valid JSON/));
  test('form_content that is not an array', () => refusedWith(withForm('{}'), /form\.form_content must be a JSON array/));
  test('a widget that is not an object', () => refusedWith(withForm('["x"]'), /form_content\[0\] must be an object/));
  test('a widget without a string id', () =>
    refusedWith(withForm('[{"id":4,"type":"input"}]'), /form_content\[0\]\.id must be a non-empty string/));
  test('a widget without a string type', () =>
    refusedWith(withForm('[{"id":"w"}]'), /form_content\[0\]\.type must be a non-empty string/));
  test('a widget whose name is not a string', () =>
    refusedWith(withForm('[{"id":"w","type":"input","name":1}]'), /form_content\[0\]\.name must be a string/));
  test('two widgets with one id', () =>
    refusedWith(withForm('[{"id":"w","type":"input"},{"id":"w","type":"number"}]'), /form_content\[1\]\.id "w" is used by another widget/));

  test('node_list not starting with START', () => {
    const body = definitionBody();
    body.node_list = body.node_list.slice(1).concat([{ id: 'END' }]);
    refusedWith(body, /node_list\[0\]\.id must be START/);
  });

  test('node_list not ending with END', () => {
    const body = definitionBody();
    body.node_list = body.node_list.slice(0, 2).concat([{ id: 'node2', approver: [{ type: 'Supervisor' }] }]);
    refusedWith(body, /node_list\[2\]\.id must be END/);
  });

  test('node_list with no approval node between START and END', () => {
    const body = definitionBody();
    body.node_list = [{ id: 'START' }, { id: 'END' }];
    refusedWith(body, /node_list must start with START, end with END and hold at least one approval node/);
  });

  test('START or END in the middle of node_list', () =>
    refusedWith(withNodes({ id: 'START', approver: [{ type: 'Supervisor' }] }), /node_list\[1\]\.id START may only open or close/));

  test('two nodes with one custom id', () =>
    refusedWith(
      withNodes({ id: 'n', approver: [{ type: 'Supervisor' }] }, { id: 'n', approver: [{ type: 'Supervisor' }] }),
      /node_list\[2\]\.id "n" is used by another node/,
    ));

  test('an unknown node_type', () =>
    refusedWith(withNodes({ id: 'n', node_type: 'ALL', approver: [{ type: 'Supervisor' }] }), /node_list\[1\]\.node_type must be AND, OR or SEQUENTIAL/));

  test('a node without approvers', () =>
    refusedWith(withNodes({ id: 'n', approver: [] }), /node_list\[1\]\.approver must name at least one approver/));

  test('an unknown approver type', () =>
    refusedWith(withNodes({ id: 'n', approver: [{ type: 'Boss' }] }), /node_list\[1\]\.approver\[0\]\.type must be one of Personal, Free/));

  test('a Personal approver without user_id', () =>
    refusedWith(withNodes({ id: 'n', approver: [{ type: 'Personal' }] }), /node_list\[1\]\.approver\[0\]\.user_id is required for a Personal approver/));

  test('a SEQUENTIAL node with an approver other than Free', () =>
    refusedWith(
      withNodes({ id: 'n', node_type: 'SEQUENTIAL', approver: [{ type: 'Free' }, { type: 'Personal', user_id: 'u' }] }),
      /node_list\[1\]\.approver\[1\]\.type must be Free on a SEQUENTIAL node/,
    ));

  for (const level of ['0', 'x', '1.5', 0, -1, 2.5]) {
    test(`level ${JSON.stringify(level)} is not a positive integer`, () =>
      refusedWith(withNodes({ id: 'n', approver: [{ type: 'Supervisor', level }] }), /node_list\[1\]\.approver\[0\]\.level must be a positive integer/));
  }

  test('a Free CC', () =>
    refusedWith(
      withNodes({ id: 'n', approver: [{ type: 'Supervisor' }], ccer: [{ type: 'Free' }] }),
      /node_list\[1\]\.ccer\[0\]\.type may not be Free/,
    ));

  test('revert_option other than 0 or 1', () => {
    const body = definitionBody();
    body.settings = { revert_option: 2 };
    refusedWith(body, /settings\.revert_option must be 0 or 1/);
  });

  for (const interval of [-1, 1.5]) {
    test(`revert_interval ${interval}`, () => {
      const body = definitionBody();
      body.settings = { revert_interval: interval };
      refusedWith(body, /settings\.revert_interval must be a whole number of seconds/);
    });
  }

  test('icon out of 0..24', () => {
    const body = definitionBody();
    body.icon = 25;
    refusedWith(body, /icon must be an integer from 0 to 24/);
  });

  test('an unknown viewer_type', () => {
    const body = definitionBody();
    body.viewers = [{ viewer_type: 'ROLE' }];
    refusedWith(body, /viewers\[0\]\.viewer_type must be TENANT, DEPARTMENT, USER or NONE/);
  });

  test('a USER viewer without viewer_user_id', () => {
    const body = definitionBody();
    body.viewers = [{ viewer_type: 'USER' }];
    refusedWith(body, /viewers\[0\]\.viewer_user_id is required for USER/);
  });

  test('no i18n_resources', () => {
    const body = definitionBody();
    body.i18n_resources = [];
    refusedWith(body, /i18n_resources must hold at least one locale/);
  });

  test('no default locale', () => {
    const body = definitionBody();
    body.i18n_resources = body.i18n_resources.map((r) => ({ ...r, is_default: false }));
    refusedWith(body, /exactly one of i18n_resources must have is_default true, found 0/);
  });

  test('two default locales', () => {
    const body = definitionBody();
    const zh = body.i18n_resources[0];
    assert.ok(zh);
    body.i18n_resources.push({ ...zh, locale: 'en-US' });
    refusedWith(body, /exactly one of i18n_resources must have is_default true, found 2/);
  });

  const missingKey: [string, (body: DefinitionInput) => void, RegExp][] = [
    ['approval_name', (b) => (b.approval_name = '@i18n@other'), /"@i18n@other" used by approval_name/],
    ['description', (b) => (b.description = '@i18n@desc'), /"@i18n@desc" used by description/],
    ['a node name', (b) => ((b.node_list[1] as NodeInput).name = '@i18n@n'), /"@i18n@n" used by node_list\[1\]\.name/],
    [
      'a widget name',
      (b) => (b.form.form_content = '[{"id":"w","type":"input","name":"@i18n@w"}]'),
      /"@i18n@w" used by widget "w" name/,
    ],
  ];
  for (const [where, change, reason] of missingKey) {
    test(`an i18n key in ${where} without a text in the default locale`, () => {
      const body = definitionBody();
      change(body);
      refusedWith(body, reason);
    });
  }

  test('plain-text names need no i18n text', () => {
    const body = definitionBody();
    body.approval_name = 'Leave request';
    body.description = 'Ask for days off';
    accepted(parse(body));
  });
});

describe('resolving i18n texts', () => {
  const i18n: I18nResource[] = [
    { locale: 'zh-CN', isDefault: true, texts: { '@i18n@name': '请假', '@i18n@only_zh': '仅中文' } },
    { locale: 'en-US', isDefault: false, texts: { '@i18n@name': 'Leave' } },
  ];

  test('without a locale the default locale answers', () => assert.equal(resolveText(i18n, '@i18n@name'), '请假'));
  test('a given locale answers in that locale', () => assert.equal(resolveText(i18n, '@i18n@name', 'en-US'), 'Leave'));
  test('a key missing in the locale falls back to the default locale', () =>
    assert.equal(resolveText(i18n, '@i18n@only_zh', 'en-US'), '仅中文'));
  test('an unknown locale falls back to the default locale', () => assert.equal(resolveText(i18n, '@i18n@name', 'ja-JP'), '请假'));
  test('plain text is its own text', () => assert.equal(resolveText(i18n, 'Leave', 'en-US'), 'Leave'));
  test('an unknown key answers itself', () => assert.equal(resolveText(i18n, '@i18n@nope'), '@i18n@nope'));
});
