#!/usr/bin/env python3
"""tests/servers/matrix_server.py: a small Matrix homeserver for ebb's tests.

Follows the client-server API v3 for what ebb uses (/sync with filters, since
tokens, limited timelines and long polls; /login; /rooms/{id}/messages;
/rooms/{id}/send; /rooms/{id}/event; /joined_rooms; /profile; m.direct;
bundled m.thread aggregations; errors as {"errcode", "error"}), backed by a
JSON fixture, with control endpoints for tests:

  POST /_test/inject   {"room_id", "sender", "body" | "content", "type",
                        "thread_root", "reply_to", "ts", "event_id", "state_key"}
  POST /_test/fault    {"kind": "429"|"500"|"502"|"slow"|"drop"|"malformed",
                        "count": N, "path": "/sync", "retry_after_ms": 300,
                        "retry_after": SECONDS (header), "delay_ms": 2000}
  GET  /_test/stats    requests per endpoint, sends per txnId, faults served,
                       read markers set per room
  POST /_test/reset    forget stats and pending faults

Usage: matrix_server.py FIXTURE.json [--port N]; prints the port on its first
stdout line. Listens on 127.0.0.1 only. Python 3 standard library only.
"""
import gzip
import json
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/_matrix/client/v3"
MAX_BODY = 1 << 20


class MatrixError(Exception):
    def __init__(self, status, errcode, error, **extra):
        super().__init__(error)
        self.status, self.errcode, self.error, self.extra = status, errcode, error, extra

    def body(self):
        b = {"errcode": self.errcode, "error": self.error}
        b.update(self.extra)
        return b


class Homeserver:
    """All state behind one lock; a condition wakes long polls on new events."""

    def __init__(self, fixture):
        self.lock = threading.Condition()
        self.server_name = fixture.get("server_name", "test.local")
        self.user_id = fixture["user_id"]
        self.password = fixture.get("password")
        self.tokens = {fixture["access_token"]: fixture.get("device_id", "TESTDEVICE")}
        self.profiles = fixture.get("profiles", {})
        self.direct = fixture.get("direct", {})
        self.pos = 0
        self.rooms = {}          # room_id -> dict(state={(type,key): ev}, events=[...], ...)
        self.order = []
        self.by_id = {}          # event_id -> (room_id, event)
        self.txns = {}           # (token, txn_id) -> event_id
        self.filters = []
        self.faults = []
        self.stats = {"requests": {}, "sent": {}, "faults": {}}
        self.next_id = 0
        for spec in fixture.get("rooms", []):
            self._load_room(spec)

    # ---- building events ---------------------------------------------------

    def _event_id(self):
        self.next_id += 1
        return "$ev%06d_%s" % (self.next_id, self.server_name.replace(".", "_"))

    def _name_of(self, user):
        return self.profiles.get(user, {}).get("displayname")

    def _state_event(self, room, etype, key, content, sender, ts):
        ev = {"type": etype, "state_key": key, "content": content, "sender": sender,
              "origin_server_ts": ts, "event_id": self._event_id(), "_pos": 0}
        room["state"][(etype, key)] = ev
        self.by_id[ev["event_id"]] = (room["room_id"], ev)

    def _load_room(self, spec):
        rid = spec["room_id"]
        room = {"room_id": rid, "state": {}, "events": [], "fully_read": spec.get("fully_read"),
                "read": spec.get("read")}
        self.rooms[rid] = room
        self.order.append(rid)
        members = spec.get("members", [self.user_id])
        creator = members[0]
        t0 = spec.get("created_ts", 1700000000000)
        self._state_event(room, "m.room.create", "", {"room_version": "10"}, creator, t0)
        for m in members:
            content = {"membership": "join"}
            if self._name_of(m):
                content["displayname"] = self._name_of(m)
            self._state_event(room, "m.room.member", m, content, m, t0)
        if spec.get("name"):
            self._state_event(room, "m.room.name", "", {"name": spec["name"]}, creator, t0)
        if spec.get("alias"):
            self._state_event(room, "m.room.canonical_alias", "", {"alias": spec["alias"]},
                              creator, t0)
        if spec.get("encrypted"):
            self._state_event(room, "m.room.encryption", "",
                              {"algorithm": "m.megolm.v1.aes-sha2"}, creator, t0)
        for ev in spec.get("events", []):
            self._add_event(rid, ev)
        filler = spec.get("filler")
        if filler:
            for i in range(filler["count"]):
                self._add_event(rid, {"sender": filler["sender"],
                                      "ts": filler["ts"] + i * filler.get("step_ms", 60000),
                                      "body": filler.get("body", "Message {i}").format(i=i + 1)})

    def _add_event(self, rid, spec):
        room = self.rooms.get(rid)
        if room is None:
            raise MatrixError(404, "M_NOT_FOUND", "Unknown room")
        content = spec.get("content")
        if content is None:
            content = {"msgtype": spec.get("msgtype", "m.text"), "body": spec.get("body", "")}
            if spec.get("mentions") is not None:
                content["m.mentions"] = {"user_ids": spec["mentions"]}
        content = json.loads(json.dumps(content))
        if spec.get("thread_root"):
            root = spec["thread_root"]
            last = root
            for ev in room["events"]:
                rel = ev["content"].get("m.relates_to", {}) if isinstance(ev["content"], dict) else {}
                if rel.get("rel_type") == "m.thread" and rel.get("event_id") == root:
                    last = ev["event_id"]
            content["m.relates_to"] = {"rel_type": "m.thread", "event_id": root,
                                       "is_falling_back": True,
                                       "m.in_reply_to": {"event_id": last}}
        elif spec.get("reply_to"):
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": spec["reply_to"]}}
        self.pos += 1
        ev = {"type": spec.get("type", "m.room.message"), "content": content,
              "sender": spec.get("sender", self.user_id),
              "origin_server_ts": spec.get("ts", int(time.time() * 1000)),
              "event_id": spec.get("event_id") or self._event_id(), "_pos": self.pos}
        if "state_key" in spec:
            ev["state_key"] = spec["state_key"]
            room["state"][(ev["type"], ev["state_key"])] = ev
        if spec.get("txn_id"):
            ev["_txn"] = spec["txn_id"]
        room["events"].append(ev)
        self.by_id[ev["event_id"]] = (rid, ev)
        return ev

    def inject(self, spec):
        with self.lock:
            ev = self._add_event(spec["room_id"], spec)
            self.lock.notify_all()
            return {"event_id": ev["event_id"], "next_batch": "s%d" % self.pos}

    # ---- serving events ----------------------------------------------------

    def _client_event(self, rid, ev, with_room=False, token=None, upto=None):
        out = {k: v for k, v in ev.items() if not k.startswith("_")}
        out["unsigned"] = {"age": max(0, int(time.time() * 1000) - ev["origin_server_ts"])}
        if with_room:
            out["room_id"] = rid
        if ev.get("_txn") and token is not None and ev.get("_token") == token:
            out["unsigned"]["transaction_id"] = ev["_txn"]
        replies = [e for e in self.rooms[rid]["events"]
                   if (upto is None or e["_pos"] <= upto) and isinstance(e["content"], dict)
                   and e["content"].get("m.relates_to", {}).get("rel_type") == "m.thread"
                   and e["content"]["m.relates_to"].get("event_id") == ev["event_id"]]
        if replies:
            latest = replies[-1]
            out["unsigned"]["m.relations"] = {"m.thread": {
                "latest_event": self._client_event(rid, latest, with_room, token, upto),
                "count": len(replies),
                "current_user_participated": any(e["sender"] == self.user_id for e in replies)
                or ev["sender"] == self.user_id}}
        return out

    @staticmethod
    def _type_ok(etype, flt):
        def match(pattern):
            return pattern == etype or (pattern.endswith("*") and etype.startswith(pattern[:-1]))
        if flt is None:
            return True
        if any(match(p) for p in flt.get("not_types", [])):
            return False
        types = flt.get("types")
        return types is None or any(match(p) for p in types)

    def _heroes(self, room):
        st = room["state"]
        if st.get(("m.room.name", "")) or st.get(("m.room.canonical_alias", "")):
            return None
        return [k for (t, k), e in st.items() if t == "m.room.member" and k != self.user_id
                and e["content"].get("membership") == "join"][:5]

    def sync(self, since, flt, timeout_ms, token):
        room_f = flt.get("room", {})
        tl_f = room_f.get("timeline", {})
        st_f = room_f.get("state", {})
        limit = tl_f.get("limit", 10)
        if not isinstance(limit, int) or limit < 1:
            raise MatrixError(400, "M_INVALID_PARAM", "timeline limit must be a positive integer")
        lazy = bool(st_f.get("lazy_load_members"))
        start = 0
        if since is not None:
            m = re.fullmatch(r"s(\d+)", since)
            if not m or int(m.group(1)) > self.pos:
                raise MatrixError(400, "M_INVALID_PARAM", "Unknown since token")
            start = int(m.group(1))
        deadline = time.monotonic() + min(timeout_ms, 60000) / 1000.0
        with self.lock:
            while since is not None and self.pos <= start:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.lock.wait(left)
            upto = self.pos
            join = {}
            for rid in self.order:
                room = self.rooms[rid]
                new = [e for e in room["events"] if start < e["_pos"] <= upto]
                if since is not None and not new:
                    continue
                shown = [e for e in new if self._type_ok(e["type"], tl_f)]
                timeline = shown[-limit:]
                limited = len(shown) > len(timeline)
                first_pos = timeline[0]["_pos"] if timeline else upto + 1
                senders = {e["sender"] for e in timeline}
                heroes = self._heroes(room)
                if since is None:
                    # Full state as of the timeline's start.
                    state = [e for e in room["state"].values() if e["_pos"] < first_pos]
                    if lazy:
                        keep = senders | set(heroes or []) | {self.user_id}
                        state = [e for e in state if e["type"] != "m.room.member"
                                 or e["state_key"] in keep]
                else:
                    gap = [e for e in new if e["_pos"] < first_pos and "state_key" in e]
                    state = list(gap)
                    if lazy:
                        have = {e["state_key"] for e in state if e["type"] == "m.room.member"}
                        state += [room["state"][("m.room.member", s)] for s in senders
                                  if s not in have and ("m.room.member", s) in room["state"]]
                entry = {
                    "timeline": {"events": [self._client_event(rid, e, token=token, upto=upto)
                                            for e in timeline],
                                 "limited": limited},
                    "state": {"events": [self._client_event(rid, e, upto=upto) for e in state]},
                    "ephemeral": {"events": []},
                    "account_data": {"events": []},
                    "unread_notifications": {"highlight_count": 0, "notification_count": 0},
                }
                if limited or since is None:
                    entry["timeline"]["prev_batch"] = "s%d" % (first_pos - 1)
                if since is None:
                    members = [k for (t, k), e in room["state"].items() if t == "m.room.member"
                               and e["content"].get("membership") == "join"]
                    entry["summary"] = {"m.joined_member_count": len(members),
                                        "m.invited_member_count": 0}
                    if heroes is not None:
                        entry["summary"]["m.heroes"] = heroes
                    if room.get("fully_read"):
                        entry["account_data"]["events"].append(
                            {"type": "m.fully_read", "content": {"event_id": room["fully_read"]}})
                    if room.get("read"):
                        entry["ephemeral"]["events"].append(
                            {"type": "m.receipt", "content": {room["read"]: {"m.read": {
                                self.user_id: {"ts": 1700000000000}}}}})
                join[rid] = entry
            body = {"next_batch": "s%d" % upto, "rooms": {"join": join, "invite": {}, "leave": {}},
                    "account_data": {"events": []}, "presence": {"events": []},
                    "to_device": {"events": []}}
            ad_f = flt.get("account_data")
            if since is None and self.direct and self._type_ok("m.direct", ad_f):
                body["account_data"]["events"].append({"type": "m.direct", "content": self.direct})
            return body

    def messages(self, rid, q, token):
        room = self.rooms.get(rid)
        if room is None:
            raise MatrixError(403, "M_FORBIDDEN", "You are not in this room")
        direction = q.get("dir")
        if direction not in ("b", "f"):
            raise MatrixError(400, "M_INVALID_PARAM", "dir must be b or f")
        try:
            limit = max(1, min(int(q.get("limit", "10")), 1000))
        except ValueError:
            raise MatrixError(400, "M_INVALID_PARAM", "limit must be an integer")
        flt = json.loads(q["filter"]) if q.get("filter") else {}

        def tok(name, dflt):
            v = q.get(name)
            if v is None:
                return dflt
            m = re.fullmatch(r"s(\d+)", v)
            if not m:
                raise MatrixError(400, "M_INVALID_PARAM", "Unknown %s token" % name)
            return int(m.group(1))
        with self.lock:
            if direction == "b":
                frm, to = tok("from", self.pos), tok("to", 0)
                evs = [e for e in reversed(room["events"]) if to < e["_pos"] <= frm
                       and self._type_ok(e["type"], flt)]
            else:
                frm, to = tok("from", 0), tok("to", self.pos)
                evs = [e for e in room["events"] if frm < e["_pos"] <= to
                       and self._type_ok(e["type"], flt)]
            chunk = evs[:limit]
            body = {"start": "s%d" % frm,
                    "chunk": [self._client_event(rid, e, True, token) for e in chunk]}
            if len(evs) > len(chunk):
                last = chunk[-1]["_pos"]
                body["end"] = "s%d" % (last - 1 if direction == "b" else last)
            if flt.get("lazy_load_members"):
                senders = {e["sender"] for e in chunk}
                body["state"] = [self._client_event(rid, room["state"][("m.room.member", s)], True)
                                 for s in sorted(senders) if ("m.room.member", s) in room["state"]]
            return body

    def send(self, rid, etype, txn, content, token):
        with self.lock:
            sent = self.stats["sent"].setdefault(txn, {"requests": 0, "events": 0})
            sent["requests"] += 1
            key = (token, txn)
            if key in self.txns:
                return {"event_id": self.txns[key]}
            if rid not in self.rooms:
                raise MatrixError(403, "M_FORBIDDEN", "You are not in this room")
            ev = self._add_event(rid, {"type": etype, "content": content, "sender": self.user_id,
                                       "txn_id": txn})
            ev["_token"] = token
            self.txns[key] = ev["event_id"]
            sent["events"] += 1
            self.lock.notify_all()
            return {"event_id": ev["event_id"]}

    def read_markers(self, rid, body):
        with self.lock:
            room = self.rooms.get(rid)
            if room is None:
                raise MatrixError(403, "M_FORBIDDEN", "You are not in this room")
            for key in ("m.fully_read", "m.read", "m.read.private"):
                eid = body.get(key)
                if eid is None:
                    continue
                found = self.by_id.get(eid) if isinstance(eid, str) else None
                if not found or found[0] != rid:
                    raise MatrixError(400, "M_INVALID_PARAM", "Unknown event for %s" % key)
            if body.get("m.fully_read"):
                room["fully_read"] = body["m.fully_read"]
            if body.get("m.read"):
                room["read"] = body["m.read"]
            marks = self.stats.setdefault("read_markers", {})
            marks[rid] = {k: v for k, v in body.items() if isinstance(v, str)}
            return {}

    def event(self, rid, eid, token):
        with self.lock:
            if rid not in self.rooms:
                raise MatrixError(403, "M_FORBIDDEN", "You are not in this room")
            found = self.by_id.get(eid)
            if not found or found[0] != rid:
                raise MatrixError(404, "M_NOT_FOUND", "Event not found.")
            return self._client_event(rid, found[1], True, token)

    def login(self, body):
        if body.get("type") != "m.login.password":
            raise MatrixError(400, "M_UNKNOWN", "Unknown login type")
        ident = body.get("identifier") or {}
        user = ident.get("user") if ident.get("type") == "m.id.user" else body.get("user")
        if isinstance(user, str) and not user.startswith("@"):
            user = "@%s:%s" % (user, self.server_name)
        if user != self.user_id or not self.password or body.get("password") != self.password:
            raise MatrixError(403, "M_FORBIDDEN", "Invalid username or password")
        with self.lock:
            token = "login_%d_%d" % (len(self.tokens), int(time.time()))
            device = body.get("device_id") or "DEV%d" % len(self.tokens)
            self.tokens[token] = device
        return {"user_id": self.user_id, "access_token": token, "device_id": device,
                "home_server": self.server_name}

    def take_fault(self, path):
        with self.lock:
            for f in self.faults:
                if f.get("path", "") in path and f["count"] > 0:
                    f["count"] -= 1
                    if f["count"] == 0:
                        self.faults.remove(f)
                    self.stats["faults"][f["kind"]] = self.stats["faults"].get(f["kind"], 0) + 1
                    return f
        return None

    def count(self, key):
        with self.lock:
            self.stats["requests"][key] = self.stats["requests"].get(key, 0) + 1


def template(path):
    """The endpoint a path belongs to, for the request counts."""
    p = path[len(PREFIX):] if path.startswith(PREFIX) else path
    p = re.sub(r"^/rooms/[^/]+/", "/rooms/{roomId}/", p)
    p = re.sub(r"/send/[^/]+/[^/]+$", "/send/{eventType}/{txnId}", p)
    p = re.sub(r"/event/[^/]+$", "/event/{eventId}", p)
    p = re.sub(r"^/profile/[^/]+", "/profile/{userId}", p)
    p = re.sub(r"^/user/[^/]+/filter(/[^/]+)?$", "/user/{userId}/filter", p)
    return p


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ebb-test-matrix/1"

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("matrix_server: " + fmt % args + "\n")

    # ---- plumbing ------------------------------------------------------------

    def _send(self, status, body, headers=(), fault=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        ctype = "application/json"
        if fault and fault["kind"] == "malformed":
            data = data[:max(1, len(data) // 2)]
        encoding = None
        if len(data) > 512 and "gzip" in self.headers.get("Accept-Encoding", ""):
            data = gzip.compress(data)
            encoding = "gzip"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if fault and fault["kind"] == "drop":
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return
        self.wfile.write(data)

    def _error(self, e, fault=None):
        headers = []
        if e.status == 429 and "retry_after" in e.extra:
            headers.append(("Retry-After", str(e.extra.pop("retry_after"))))
        self._send(e.status, e.body(), headers, fault)

    def _read_body(self):
        """Reads the request body first, whatever comes next: a fault answered
        without reading it would leave it in the connection as the next request."""
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            self.close_connection = True
            self._raw = None
            return
        self._raw = self.rfile.read(n) if n else b""

    def _json_body(self):
        raw = self._raw
        if raw is None:
            raise MatrixError(413, "M_TOO_LARGE", "Request too large")
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            raise MatrixError(400, "M_NOT_JSON", "Content not JSON.")
        if not isinstance(body, dict):
            raise MatrixError(400, "M_BAD_JSON", "Content must be a JSON object.")
        return body

    def _token(self, query):
        hs = self.server.hs
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else query.get("access_token")
        if not token:
            raise MatrixError(401, "M_MISSING_TOKEN", "Missing access token.")
        if token not in hs.tokens:
            raise MatrixError(401, "M_UNKNOWN_TOKEN", "Invalid access token passed.",
                              soft_logout=False)
        return token

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def _handle(self, method):
        self._read_body()
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        hs = self.server.hs
        if path.startswith("/_test/"):
            return self._control(method, path)
        hs.count("%s %s" % (method, template(path)))
        fault = hs.take_fault(path)
        if fault and fault["kind"] == "slow":
            time.sleep(fault.get("delay_ms", 2000) / 1000.0)
            fault = None
        try:
            if fault and fault["kind"] == "429":
                raise MatrixError(429, "M_LIMIT_EXCEEDED", "Too many requests",
                                  retry_after_ms=fault.get("retry_after_ms", 500),
                                  **({"retry_after": fault["retry_after"]}
                                     if "retry_after" in fault else {}))
            if fault and fault["kind"] == "500":
                raise MatrixError(500, "M_UNKNOWN", "Internal server error")
            if fault and fault["kind"] == "502":
                self.send_response(502)
                page = b"<html><body>502 Bad Gateway</body></html>"
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)
                return
            body = self._route(method, path, query)
            self._send(200, body, fault=fault)
        except MatrixError as e:
            self._error(e)

    def _route(self, method, path, query):
        hs = self.server.hs
        if path == "/_matrix/client/versions":
            return {"versions": ["r0.6.1", "v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6",
                                 "v1.7", "v1.8", "v1.9", "v1.10", "v1.11"],
                    "unstable_features": {}}
        if not path.startswith(PREFIX + "/"):
            raise MatrixError(404, "M_UNRECOGNIZED", "Unrecognized request")
        parts = [urllib.parse.unquote(p) for p in path[len(PREFIX) + 1:].split("/")]
        if parts == ["login"]:
            if method == "GET":
                return {"flows": [{"type": "m.login.password"}]}
            if method == "POST":
                return hs.login(self._json_body())
            raise MatrixError(405, "M_UNRECOGNIZED", "Unrecognized request")
        token = self._token(query)
        if parts == ["sync"] and method == "GET":
            flt = query.get("filter", "")
            if flt.startswith("{"):
                try:
                    flt = json.loads(flt)
                except ValueError:
                    raise MatrixError(400, "M_INVALID_PARAM", "filter is not valid JSON")
            elif flt:
                try:
                    flt = hs.filters[int(flt)]
                except (ValueError, IndexError):
                    raise MatrixError(404, "M_NOT_FOUND", "No such filter")
            else:
                flt = {}
            try:
                timeout = int(query.get("timeout", "0"))
            except ValueError:
                raise MatrixError(400, "M_INVALID_PARAM", "timeout must be an integer")
            return hs.sync(query.get("since"), flt, timeout, token)
        if parts == ["account", "whoami"]:
            return {"user_id": hs.user_id, "device_id": hs.tokens[token], "is_guest": False}
        if parts == ["joined_rooms"]:
            return {"joined_rooms": list(hs.order)}
        if len(parts) in (2, 3) and parts[0] == "profile":
            prof = hs.profiles.get(parts[1])
            if prof is None:
                raise MatrixError(404, "M_NOT_FOUND", "Profile was not found")
            if len(parts) == 3:
                if parts[2] not in prof:
                    raise MatrixError(404, "M_NOT_FOUND", "Profile field was not found")
                return {parts[2]: prof[parts[2]]}
            return prof
        if len(parts) == 3 and parts[0] == "user" and parts[2] == "filter" and method == "POST":
            hs.filters.append(self._json_body())
            return {"filter_id": str(len(hs.filters) - 1)}
        if len(parts) == 3 and parts[0] == "rooms" and parts[2] == "messages":
            return hs.messages(parts[1], query, token)
        if len(parts) == 4 and parts[0] == "rooms" and parts[2] == "event":
            return hs.event(parts[1], parts[3], token)
        if len(parts) == 5 and parts[0] == "rooms" and parts[2] == "send" and method == "PUT":
            return hs.send(parts[1], parts[3], parts[4], self._json_body(), token)
        if len(parts) == 3 and parts[0] == "rooms" and parts[2] == "read_markers" and method == "POST":
            return hs.read_markers(parts[1], self._json_body())
        if len(parts) == 5 and parts[0] == "rooms" and parts[2] == "receipt" and method == "POST":
            self._json_body()
            return hs.read_markers(parts[1], {parts[3]: parts[4]})
        raise MatrixError(404, "M_UNRECOGNIZED", "Unrecognized request")

    def _control(self, method, path):
        hs = self.server.hs
        try:
            if path == "/_test/stats" and method == "GET":
                with hs.lock:
                    body = json.loads(json.dumps(hs.stats))
                    body["faults_pending"] = sum(f["count"] for f in hs.faults)
                    body["next_batch"] = "s%d" % hs.pos
                return self._send(200, body)
            if path == "/_test/inject" and method == "POST":
                return self._send(200, hs.inject(self._json_body()))
            if path == "/_test/fault" and method == "POST":
                f = self._json_body()
                if f.get("kind") not in ("429", "500", "502", "slow", "drop", "malformed"):
                    raise MatrixError(400, "M_INVALID_PARAM", "unknown fault kind")
                f["count"] = int(f.get("count", 1))
                with hs.lock:
                    hs.faults.append(f)
                return self._send(200, {})
            if path == "/_test/reset" and method == "POST":
                with hs.lock:
                    hs.faults.clear()
                    hs.stats = {"requests": {}, "sent": {}, "faults": {}}
                return self._send(200, {})
            raise MatrixError(404, "M_UNRECOGNIZED", "Unrecognized request")
        except MatrixError as e:
            self._error(e)


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
        sys.exit("usage: matrix_server.py FIXTURE.json [--port N] [--verbose]")
    with open(args[0]) as f:
        fixture = json.load(f)
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.hs = Homeserver(fixture)
    server.verbose = verbose
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
