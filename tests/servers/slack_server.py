#!/usr/bin/env python3
"""tests/servers/slack_server.py: a small Slack Web API for ebb's tests.

Follows the published Web API for what ebb uses: auth.test,
conversations.list / .history / .replies / .mark, users.info,
chat.postMessage (with message metadata), chat.scheduleMessage and
chat.scheduledMessages.list. Answers are HTTP 200 with "ok": true or
"ok": false and an "error" code, cursor pagination through
response_metadata.next_cursor (with a small page size, so cursors are used),
429 with Retry-After when rate limited, Bearer token auth. Backed by a JSON
fixture, with control endpoints for tests:

  POST /_test/inject   {"channel", "user", "text", "thread_ts", "ts",
                        "subtype", "bot_id", "username", "files"}
  POST /_test/fault    {"kind", "count": N, "path": "chat.postMessage",
                        "retry_after": SECONDS, "delay_ms": 2000,
                        "error": "missing_scope", "needed": ..., "provided": ...}
  POST /_test/clock    {"now": EPOCH}  the server's clock (new ts, post_at checks)
  GET  /_test/stats    requests per method, posts per txn metadata, faults
  POST /_test/reset    forget stats and pending faults

Fault kinds: 429 (ratelimited + Retry-After), 500, slow (delay_ms, then
normal), drop (answered with half the body, connection closed), malformed
(half the JSON), error (ok:false with "error"), accept_drop (the request is
carried out, then the connection is closed without an answer), refuse_drop
(the connection is closed without carrying it out or answering).

Usage: slack_server.py FIXTURE.json [--port N] [--verbose]; prints the port on
its first stdout line. Listens on 127.0.0.1 only. Python 3 standard library.
"""
import base64
import gzip
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1 << 20
FAULT_KINDS = ("429", "500", "slow", "drop", "malformed", "error", "accept_drop", "refuse_drop")


class SlackError(Exception):
    def __init__(self, error, status=200, **extra):
        super().__init__(error)
        self.error, self.status, self.extra = error, status, extra


def ts_key(ts):
    sec, _, frac = ts.partition(".")
    return int(sec), int((frac + "000000")[:6])


def encode_cursor(offset):
    return base64.b64encode(("next:%d" % offset).encode()).decode()


def decode_cursor(cursor):
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        if text.startswith("next:"):
            return int(text[5:])
    except (ValueError, UnicodeDecodeError):
        pass
    raise SlackError("invalid_cursor")


def truthy(v):
    return str(v).lower() in ("1", "true", "yes")


class Workspace:
    """All state behind one lock."""

    def __init__(self, fixture):
        self.lock = threading.Lock()
        self.token = fixture["token"]
        self.user_id = fixture["user_id"]
        self.user_name = fixture.get("user", "me")
        self.team = fixture.get("team", "Test")
        self.page_size = fixture.get("page_size", 3)
        self.users = fixture.get("users", {})
        self.clock0 = float(fixture.get("now", time.time()))
        self.start = time.monotonic()
        self.last_ts = (0, 0)
        self.channels = {}
        self.order = []
        for spec in fixture.get("channels", []):
            ch = {k: v for k, v in spec.items() if k != "messages"}
            ch["messages"] = []
            self.channels[ch["id"]] = ch
            self.order.append(ch["id"])
            for m in spec.get("messages", []):
                self._add(ch, dict(m))
        self.scheduled = []
        self.faults = []
        self.reset_stats()

    def reset_stats(self):
        self.stats = {"requests": {}, "posted": {}, "posts": 0, "faults": {}, "marks": {},
                      "scheduled": []}

    # ---- time and messages --------------------------------------------------

    def now(self):
        return self.clock0 + (time.monotonic() - self.start)

    def _new_ts(self):
        t = self.now()
        key = (int(t), int((t - int(t)) * 1e6))
        if key <= self.last_ts:
            sec, usec = self.last_ts
            usec += 100
            key = (sec + usec // 1000000, usec % 1000000)
        self.last_ts = key
        return "%d.%06d" % key

    def _add(self, ch, m):
        if not m.get("ts"):
            m["ts"] = self._new_ts()
        elif ts_key(m["ts"]) > self.last_ts:
            self.last_ts = ts_key(m["ts"])
        m.setdefault("type", "message")
        if m.get("thread_ts") and m["thread_ts"] != m["ts"]:
            root = self._find(ch, m["thread_ts"])
            if root is None:
                raise SlackError("thread_not_found")
            root["thread_ts"] = root["ts"]
        ch["messages"].append(m)
        ch["messages"].sort(key=lambda x: ts_key(x["ts"]))
        return m

    @staticmethod
    def _find(ch, ts):
        for m in ch["messages"]:
            if m["ts"] == ts:
                return m
        return None

    def _channel(self, cid, member=True):
        ch = self.channels.get(cid)
        if ch is None:
            raise SlackError("channel_not_found")
        if member and not ch.get("is_member", True) and ch.get("type") != "im":
            raise SlackError("not_in_channel")
        return ch

    def _out(self, ch, m, metadata):
        o = {k: v for k, v in m.items() if k != "metadata" and not k.startswith("_")}
        if m.get("user"):
            o.setdefault("team", "T0TEST")
        replies = [r for r in ch["messages"] if r.get("thread_ts") == m["ts"] and r["ts"] != m["ts"]]
        if replies:
            o["thread_ts"] = m["ts"]
            o["reply_count"] = len(replies)
            o["reply_users_count"] = len({r.get("user") for r in replies})
            o["reply_users"] = sorted({r.get("user") for r in replies if r.get("user")})
            o["latest_reply"] = replies[-1]["ts"]
            o["is_locked"] = False
            o["subscribed"] = False
        if metadata and m.get("metadata"):
            o["metadata"] = m["metadata"]
        return o

    @staticmethod
    def _page(items, params, page_size):
        try:
            limit = int(params.get("limit", "100"))
        except ValueError:
            raise SlackError("invalid_limit")
        limit = max(1, min(limit, 999, page_size))
        offset = decode_cursor(params["cursor"]) if params.get("cursor") else 0
        chunk = items[offset:offset + limit]
        more = offset + limit < len(items)
        return chunk, more, encode_cursor(offset + limit) if more else ""

    # ---- the methods ----------------------------------------------------------

    def auth_test(self, p):
        return {"url": "https://test.slack.com/", "team": self.team, "user": self.user_name,
                "team_id": "T0TEST", "user_id": self.user_id}

    def conversations_list(self, p):
        types = (p.get("types") or "public_channel").split(",")
        kinds = {"public_channel": "public", "private_channel": "private", "im": "im",
                 "mpim": "mpim"}
        want = {kinds[t] for t in types if t in kinds}
        out = []
        for cid in self.order:
            ch = self.channels[cid]
            if ch.get("type", "public") not in want:
                continue
            if truthy(p.get("exclude_archived", "false")) and ch.get("is_archived"):
                continue
            t = ch.get("type", "public")
            o = {"id": cid, "created": 1700000000}
            if t == "im":
                o.update({"is_im": True, "user": ch["user"], "is_user_deleted": False,
                          "priority": 0})
            else:
                o.update({"name": ch["name"], "is_channel": t == "public",
                          "is_group": t != "public", "is_im": False, "is_mpim": t == "mpim",
                          "is_private": t != "public", "is_archived": bool(ch.get("is_archived")),
                          "is_general": ch["name"] == "general",
                          "is_member": bool(ch.get("is_member", True)),
                          "num_members": len(ch.get("members", []))})
            out.append(o)
        chunk, _more, cursor = self._page(out, p, self.page_size)
        return {"channels": chunk, "response_metadata": {"next_cursor": cursor}}

    def conversations_history(self, p):
        ch = self._channel(p.get("channel"))
        oldest = p.get("oldest") or "0"
        latest = p.get("latest")
        inclusive = truthy(p.get("inclusive", "false"))

        def inside(ts):
            k = ts_key(ts)
            lo = ts_key(oldest)
            if k < lo or (k == lo and not inclusive):
                return False
            if latest:
                hi = ts_key(latest)
                if k > hi or (k == hi and not inclusive):
                    return False
            return True
        top = [m for m in ch["messages"]
               if (not m.get("thread_ts") or m["thread_ts"] == m["ts"]
                   or m.get("subtype") == "thread_broadcast") and inside(m["ts"])]
        top.reverse()   # newest first
        chunk, more, cursor = self._page(top, p, self.page_size)
        meta = truthy(p.get("include_all_metadata", "false"))
        return {"messages": [self._out(ch, m, meta) for m in chunk], "has_more": more,
                "pin_count": 0, "channel_actions_ts": None, "channel_actions_count": 0,
                "response_metadata": {"next_cursor": cursor}}

    def conversations_replies(self, p):
        ch = self._channel(p.get("channel"))
        root = self._find(ch, p.get("ts", ""))
        if root is None:
            raise SlackError("thread_not_found")
        oldest = ts_key(p.get("oldest") or "0")
        replies = [m for m in ch["messages"] if m.get("thread_ts") == root["ts"]
                   and m["ts"] != root["ts"] and ts_key(m["ts"]) > oldest]
        chunk, more, cursor = self._page(replies, p, self.page_size)
        meta = truthy(p.get("include_all_metadata", "false"))
        # The parent comes first on every page.
        return {"messages": [self._out(ch, root, meta)] + [self._out(ch, m, meta) for m in chunk],
                "has_more": more, "response_metadata": {"next_cursor": cursor}}

    def conversations_mark(self, p):
        ch = self._channel(p.get("channel"))
        if not p.get("ts"):
            raise SlackError("invalid_timestamp")
        self.stats["marks"][ch["id"]] = p["ts"]
        return {}

    def users_info(self, p):
        uid = p.get("user")
        u = self.users.get(uid)
        if u is None:
            raise SlackError("user_not_found")
        return {"user": {"id": uid, "team_id": "T0TEST", "name": u.get("name", uid.lower()),
                         "deleted": False, "real_name": u.get("real_name", ""),
                         "is_bot": bool(u.get("is_bot")),
                         "profile": {"real_name": u.get("real_name", ""),
                                     "display_name": u.get("display_name", ""),
                                     "team": "T0TEST"}}}

    @staticmethod
    def _metadata(p):
        meta = p.get("metadata")
        if isinstance(meta, str) and meta:
            try:
                meta = json.loads(meta)
            except ValueError:
                raise SlackError("invalid_metadata_format")
        if meta is not None and not (isinstance(meta, dict) and isinstance(meta.get("event_type"), str)
                                     and isinstance(meta.get("event_payload"), dict)):
            raise SlackError("invalid_metadata_schema")
        return meta

    def _check_post(self, p):
        ch = self._channel(p.get("channel"))
        text = p.get("text")
        if not isinstance(text, str) or not text:
            raise SlackError("no_text")
        if len(text) > 40000:
            raise SlackError("msg_too_long")
        thread = p.get("thread_ts")
        if thread and self._find(ch, thread) is None:
            raise SlackError("thread_not_found")
        return ch, text, thread

    def chat_post_message(self, p):
        ch, text, thread = self._check_post(p)
        meta = self._metadata(p)
        m = {"user": self.user_id, "text": text}
        if thread:
            m["thread_ts"] = thread
        if meta:
            m["metadata"] = meta
        m = self._add(ch, m)
        self.stats["posts"] += 1
        txn = (meta or {}).get("event_payload", {}).get("txn")
        if isinstance(txn, str):
            self.stats["posted"][txn] = self.stats["posted"].get(txn, 0) + 1
        return {"channel": ch["id"], "ts": m["ts"], "message": self._out(ch, m, True)}

    def _deliver_scheduled(self):
        """Scheduled messages whose time came are posted, as Slack does."""
        due = [x for x in self.scheduled if x["post_at"] <= self.now()]
        for x in due:
            self.scheduled.remove(x)
            ch = self.channels.get(x["channel_id"])
            if ch is not None:
                m = {"user": self.user_id, "text": x["text"]}
                if x.get("thread_ts"):
                    m["thread_ts"] = x["thread_ts"]
                self._add(ch, m)

    def chat_schedule_message(self, p):
        ch, text, thread = self._check_post(p)
        try:
            post_at = int(float(p.get("post_at")))
        except (TypeError, ValueError):
            raise SlackError("invalid_time")
        if post_at <= self.now():
            raise SlackError("time_in_past")
        if post_at > self.now() + 120 * 86400:
            raise SlackError("time_too_far")
        sid = "Q%08d" % (len(self.scheduled) + 1)
        item = {"id": sid, "channel_id": ch["id"], "post_at": post_at,
                "date_created": int(self.now()), "text": text}
        if thread:
            item["thread_ts"] = thread
        self.scheduled.append(item)
        self.stats["scheduled"].append(dict(item))
        return {"channel": ch["id"], "scheduled_message_id": sid, "post_at": post_at,
                "message": {"type": "delayed_message", "text": text, "user": self.user_id}}

    def chat_scheduled_messages_list(self, p):
        items = [s for s in self.scheduled if not p.get("channel") or s["channel_id"] == p["channel"]]
        chunk, _more, cursor = self._page(items, p, 100)
        return {"scheduled_messages": [{k: v for k, v in s.items() if k != "thread_ts"}
                                       for s in chunk],
                "response_metadata": {"next_cursor": cursor}}

    METHODS = {
        "auth.test": auth_test,
        "conversations.list": conversations_list,
        "conversations.history": conversations_history,
        "conversations.replies": conversations_replies,
        "conversations.mark": conversations_mark,
        "users.info": users_info,
        "chat.postMessage": chat_post_message,
        "chat.scheduleMessage": chat_schedule_message,
        "chat.scheduledMessages.list": chat_scheduled_messages_list,
    }

    def call(self, method, params):
        fn = self.METHODS.get(method)
        if fn is None:
            raise SlackError("unknown_method")
        with self.lock:
            self._deliver_scheduled()
            body = fn(self, params)
        out = {"ok": True}
        out.update(body)
        return out

    def inject(self, spec):
        with self.lock:
            ch = self._channel(spec["channel"], member=False)
            m = {k: spec[k] for k in ("user", "text", "thread_ts", "ts", "subtype", "bot_id",
                                      "username", "files", "metadata") if k in spec}
            m = self._add(ch, m)
            return {"ts": m["ts"]}

    def take_fault(self, method):
        with self.lock:
            for f in self.faults:
                if f.get("path", "") in method and f["count"] > 0:
                    f["count"] -= 1
                    if f["count"] == 0:
                        self.faults.remove(f)
                    self.stats["faults"][f["kind"]] = self.stats["faults"].get(f["kind"], 0) + 1
                    return f
        return None

    def count(self, method):
        with self.lock:
            self.stats["requests"][method] = self.stats["requests"].get(method, 0) + 1


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ebb-test-slack/1"

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("slack_server: " + fmt % args + "\n")

    def _send(self, status, body, headers=(), fault=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        if fault and fault["kind"] == "malformed":
            data = data[:max(1, len(data) // 2)]
        encoding = None
        if len(data) > 512 and "gzip" in self.headers.get("Accept-Encoding", ""):
            data = gzip.compress(data)
            encoding = "gzip"
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if fault and fault["kind"] == "drop":
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            self._hang_up()
            return
        self.wfile.write(data)

    def _hang_up(self):
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(2)
        except OSError:
            pass

    def _params(self, url):
        params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            raise SlackError("request_too_large", status=413)
        raw = self.rfile.read(n) if n else b""
        ctype = self.headers.get("Content-Type", "")
        if raw and ctype.startswith("application/json"):
            try:
                body = json.loads(raw)
            except ValueError:
                raise SlackError("invalid_json")
            if not isinstance(body, dict):
                raise SlackError("json_not_object")
            params.update(body)
        elif raw:
            params.update(urllib.parse.parse_qsl(raw.decode("utf-8", "replace"),
                                                 keep_blank_values=True))
        return params

    def _auth(self, params):
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else params.get("token")
        if not token:
            raise SlackError("not_authed")
        if token != self.server.ws.token:
            raise SlackError("invalid_auth")

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def _handle(self):
        ws = self.server.ws
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        try:
            params = self._params(url)
        except SlackError as e:
            return self._send(e.status, {"ok": False, "error": e.error})
        if path.startswith("/_test/"):
            return self._control(path, params)
        method = path.rsplit("/", 1)[-1]
        if not path.startswith("/api/"):
            return self._send(404, {"ok": False, "error": "unknown_method"})
        ws.count(method)
        fault = ws.take_fault(method)
        kind = fault["kind"] if fault else None
        if kind == "slow":
            time.sleep(fault.get("delay_ms", 2000) / 1000.0)
            fault = kind = None
        if kind == "refuse_drop":
            return self._hang_up()
        if kind == "429":
            return self._send(429, {"ok": False, "error": "ratelimited"},
                              [("Retry-After", str(fault.get("retry_after", 1)))])
        if kind == "500":
            return self._send(500, {"ok": False, "error": "internal_error"})
        if kind == "error":
            body = {"ok": False, "error": fault.get("error", "fatal_error")}
            for k in ("needed", "provided"):
                if k in fault:
                    body[k] = fault[k]
            return self._send(200, body)
        try:
            self._auth(params)
            body = ws.call(method, params)
            status = 200
        except SlackError as e:
            body = {"ok": False, "error": e.error}
            body.update(e.extra)
            status = e.status
        if kind == "accept_drop":
            return self._hang_up()
        self._send(status, body, fault=fault)

    def _control(self, path, params):
        ws = self.server.ws
        try:
            if path == "/_test/stats":
                with ws.lock:
                    body = json.loads(json.dumps(ws.stats))
                    body["faults_pending"] = sum(f["count"] for f in ws.faults)
                return self._send(200, body)
            if path == "/_test/inject":
                return self._send(200, ws.inject(params))
            if path == "/_test/fault":
                if params.get("kind") not in FAULT_KINDS:
                    raise SlackError("unknown_fault_kind")
                params["count"] = int(params.get("count", 1))
                with ws.lock:
                    ws.faults.append(params)
                return self._send(200, {"ok": True})
            if path == "/_test/clock":
                with ws.lock:
                    ws.clock0 = float(params["now"])
                    ws.start = time.monotonic()
                return self._send(200, {"ok": True})
            if path == "/_test/reset":
                with ws.lock:
                    ws.faults.clear()
                    ws.reset_stats()
                return self._send(200, {"ok": True})
            raise SlackError("unknown_method", status=404)
        except SlackError as e:
            self._send(e.status, {"ok": False, "error": e.error})
        except (KeyError, ValueError) as e:
            self._send(400, {"ok": False, "error": "bad_request: %s" % e})


def main():
    args = sys.argv[1:]
    port = 0
    verbose = False
    if "--port" in args:
        i = args.index("--port")
        port = int(args[i + 1])
        del args[i:i + 2]
    if "--verbose" in args:
        args.remove("--verbose")
        verbose = True
    if len(args) != 1:
        sys.exit("usage: slack_server.py FIXTURE.json [--port N] [--verbose]")
    with open(args[0]) as f:
        fixture = json.load(f)
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.ws = Workspace(fixture)
    server.verbose = verbose
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
