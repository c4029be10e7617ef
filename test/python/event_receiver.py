"""An event URL built on the official Python SDK's EventDispatcherHandler (lark-oapi), unmodified.

Usage: python3 event_receiver.py '{"encrypt_key": ..., "verification_token": ...}'

Listens on 127.0.0.1 (a free port), prints `SHENPI_LISTENING <port>`, then one line
`SHENPI_EVENT {json}` per event the SDK decrypted, checked and decoded. The request headers reach the
SDK with their names as they arrived on the wire, as any plain-HTTP adapter passes them; the SDK
reads X-Lark-Request-Timestamp, X-Lark-Request-Nonce and X-Lark-Signature case-sensitively.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import lark_oapi as lark
from lark_oapi.core.model import RawRequest

ARGS = json.loads(sys.argv[1])


def record(event):
    print("SHENPI_EVENT " + json.dumps({"type": event.type, "uuid": event.uuid, "token": event.token, "event": event.event}), flush=True)


handler = (
    lark.EventDispatcherHandler.builder(ARGS["encrypt_key"], ARGS["verification_token"], lark.LogLevel.ERROR)
    .register_p1_customized_event("approval_instance", record)
    .register_p1_customized_event("approval_task", record)
    .build()
)


class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        raw = RawRequest()
        raw.uri = self.path
        raw.headers = dict(self.headers.items())
        raw.body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        answer = handler.do(raw)
        self.send_response(answer.status_code)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.content or b"")))
        self.end_headers()
        self.wfile.write(answer.content or b"")

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
print(f"SHENPI_LISTENING {server.server_address[1]}", flush=True)
server.serve_forever()
