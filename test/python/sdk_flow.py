"""Drives a running shenpi through the official Python SDK (lark-oapi), unmodified.

Usage: python3 sdk_flow.py '{"base_url": ..., "app_id": ..., "app_secret": ..., "approval_code": ...}'

Each step is a function registered with @step; it returns what test/sdk-python.test.ts checks. The
results go to stdout as one line `SHENPI_RESULT {json}` (the SDK's own logger writes to stdout too).
A failing step is reported with its error and the remaining steps still run. To add a step, write
one more @step function; the order of definition is the order of execution.
"""
import json
import sys
import traceback

import lark_oapi as lark
from lark_oapi.api.approval.v4 import *  # noqa: F403 (the SDK's request and model builders)
from lark_oapi.core.token.manager import TokenManager

ARGS = json.loads(sys.argv[1])
client = (
    lark.Client.builder()
    .app_id(ARGS["app_id"])
    .app_secret(ARGS["app_secret"])
    .domain(ARGS["base_url"])
    .log_level(lark.LogLevel.ERROR)
    .build()
)
APPROVAL = ARGS["approval_code"]
FORM = json.dumps([{"id": "reason", "type": "input", "value": "sent by the Python SDK"}])
STEPS = []
state = {}


def step(fn):
    STEPS.append(fn)
    return fn


def answer(resp, **fields):
    """What every step reports of an SDK response: code, msg, the log id the SDK read, and more."""
    # The generated responses leave `error` a plain dict (BaseResponse declares no types for it).
    error = resp.error or {}
    return {
        "code": resp.code,
        "msg": resp.msg,
        "log_id": resp.get_log_id(),
        "error_log_id": error.get("log_id"),
        "troubleshooter": error.get("troubleshooter"),
        **fields,
    }


def create_instance(**extra):
    body = InstanceCreate.builder().approval_code(APPROVAL).open_id("ou_alice").form(FORM)
    for name, value in extra.items():
        getattr(body, name)(value)
    resp = client.approval.v4.instance.create(CreateInstanceRequest.builder().request_body(body.build()).build())
    if not resp.success():
        raise RuntimeError(f"create failed: {resp.code} {resp.msg}")
    return resp.data.instance_code


def get_instance(code):
    return client.approval.v4.instance.get(GetInstanceRequest.builder().instance_id(code).user_id_type("open_id").build())


def bobs_task(code):
    return next(t.id for t in get_instance(code).data.task_list if t.open_id == "ou_bob" and t.status == "PENDING")


def approve_as_bob(code):
    body = TaskApprove.builder().approval_code(APPROVAL).instance_code(code).user_id("ou_bob").task_id(bobs_task(code))
    resp = client.approval.v4.task.approve(ApproveTaskRequest.builder().user_id_type("open_id").request_body(body.build()).build())
    if not resp.success():
        raise RuntimeError(f"approve failed: {resp.code} {resp.msg}")


@step
def token():
    # The token request the SDK sends by itself, without any Content-Type header.
    return {"token": TokenManager.get_self_tenant_token(client._config)}


@step
def create():
    # cancel_bot_notification is an int in the Python SDK (a string in the Node SDK).
    resp = client.approval.v4.instance.create(
        CreateInstanceRequest.builder()
        .request_body(
            InstanceCreate.builder().approval_code(APPROVAL).open_id("ou_alice").form(FORM).cancel_bot_notification(4).build()
        )
        .build()
    )
    state["instance"] = resp.data.instance_code if resp.success() else None
    return answer(resp, instance_code=state["instance"])


@step
def get():
    resp = get_instance(state["instance"])
    return answer(resp, status=resp.data.status, tasks=[[t.open_id, t.status] for t in resp.data.task_list])


@step
def comments():
    code = state["instance"]

    def create_comment(body):
        req = CreateInstanceCommentRequest.builder().instance_id(code).user_id_type("open_id").user_id("ou_alice")
        return client.approval.v4.instance_comment.create(req.request_body(body).build())

    at_bob = CommentAtInfo.builder().user_id("ou_bob").name("Bob").offset(0).build()
    first = create_comment(CommentRequest.builder().content(json.dumps({"text": "@Bob look"})).at_info_list([at_bob]).build())
    root = first.data.comment_id
    # parent_comment_id is an int in the Python SDK: a 19-digit id goes out as a JSON integer.
    reply = create_comment(CommentRequest.builder().content(json.dumps({"text": "a reply"})).parent_comment_id(int(root)).build())
    listed = client.approval.v4.instance_comment.list(
        ListInstanceCommentRequest.builder().instance_id(code).user_id_type("open_id").user_id("ou_alice").page_size(10).build()
    )
    deleted = client.approval.v4.instance_comment.delete(
        DeleteInstanceCommentRequest.builder().instance_id(code).comment_id(reply.data.comment_id)
        .user_id_type("open_id").user_id("ou_alice").build()
    )
    return {
        "created": answer(first, comment_id=root),
        "reply": answer(reply, comment_id=reply.data.comment_id if reply.success() else None),
        "listed": answer(
            listed,
            comments=[
                {
                    "id": c.id,
                    "offsets": [a.offset for a in c.at_info_list or []],
                    "replies": [[r.id, r.is_delete] for r in c.replies or []],
                }
                for c in listed.data.comments
            ],
        ),
        "deleted": answer(deleted),
    }


@step
def cancel():
    resp = client.approval.v4.instance.cancel(
        CancelInstanceRequest.builder()
        .user_id_type("open_id")
        .request_body(InstanceCancel.builder().approval_code(APPROVAL).instance_code(state["instance"]).user_id("ou_alice").build())
        .build()
    )
    return answer(resp, status=get_instance(state["instance"]).data.status)


@step
def revoke_round():
    """Withdrawing an approved instance opens its revoke request; Bob approving it revokes the instance."""
    code = create_instance()
    approve_as_bob(code)
    cancelled = client.approval.v4.instance.cancel(
        CancelInstanceRequest.builder()
        .user_id_type("user_id")
        .request_body(InstanceCancel.builder().approval_code(APPROVAL).instance_code(code).user_id("u_alice").build())
        .build()
    )
    during = get_instance(code).data.status
    # The revoke request is found as a client would: the definition's instances, read for reverted_instance_code.
    start = int(get_instance(code).data.start_time)
    listed = client.approval.v4.instance.list(
        ListInstanceRequest.builder().approval_code(APPROVAL).start_time(start).end_time(start + 86_400_000).page_size(100).build()
    )
    requests = [c for c in listed.data.instance_code_list if get_instance(c).data.reverted_instance_code == code]
    approve_as_bob(requests[0])
    revoked = get_instance(code).data
    return answer(
        cancelled,
        during=during,
        requests=len(requests),
        request_status=get_instance(requests[0]).data.status,
        status=revoked.status,
        reverted=revoked.reverted,
        last_timeline=revoked.timeline[-1].type,
    )


@step
def approve():
    code = create_instance()
    body = TaskApprove.builder().approval_code(APPROVAL).instance_code(code).user_id("ou_bob").task_id(bobs_task(code)).comment("ok")
    resp = client.approval.v4.task.approve(ApproveTaskRequest.builder().user_id_type("open_id").request_body(body.build()).build())
    return answer(resp, status=get_instance(code).data.status)


@step
def reject():
    code = create_instance()
    body = TaskApprove.builder().approval_code(APPROVAL).instance_code(code).user_id("ou_bob").task_id(bobs_task(code))
    resp = client.approval.v4.task.reject(RejectTaskRequest.builder().user_id_type("open_id").request_body(body.build()).build())
    return answer(resp, status=get_instance(code).data.status)


@step
def transfer():
    code = create_instance()
    body = (
        TaskTransfer.builder().approval_code(APPROVAL).instance_code(code).user_id("ou_bob")
        .task_id(bobs_task(code)).transfer_user_id("ou_carol")
    )
    resp = client.approval.v4.task.transfer(TransferTaskRequest.builder().user_id_type("open_id").request_body(body.build()).build())
    tasks = get_instance(code).data.task_list
    return answer(resp, tasks=[[t.open_id, t.status] for t in tasks])


@step
def approval_with_admin_id():
    # The SDK writes the query boolean as Python prints it: with_admin_id=True.
    resp = client.approval.v4.approval.get(GetApprovalRequest.builder().approval_code(APPROVAL).with_admin_id(True).build())
    return answer(resp, has_admin_ids=resp.data.approval_admin_ids is not None)


@step
def query():
    start = int(get_instance(state["instance"]).data.start_time)
    # instance_start_time_from/_to are ints in the Python SDK (strings in the Node SDK).
    search = (
        InstanceSearch.builder().approval_code(APPROVAL).instance_code(state["instance"])
        .instance_start_time_from(start - 1000).instance_start_time_to(start + 1000).build()
    )
    resp = client.approval.v4.instance.query(QueryInstanceRequest.builder().page_size(5).request_body(search).build())
    return answer(resp, codes=[i.instance.code for i in resp.data.instance_list])


@step
def tasks_query():
    # topic is an int in the Python SDK.
    resp = client.approval.v4.task.query(QueryTaskRequest.builder().user_id("ou_carol").topic(1).user_id_type("open_id").build())
    return answer(resp, count=len(resp.data.tasks))


@step
def error():
    resp = get_instance("81D31358-93AF-92D6-7425-01A5D67C4E71")
    return answer(resp, success=resp.success())


results = {}
for fn in STEPS:
    try:
        results[fn.__name__] = fn()
    except Exception:  # a broken step is a result too; the Node test names it
        results[fn.__name__] = {"failed": traceback.format_exc()}
print("SHENPI_RESULT " + json.dumps(results), flush=True)
