#!/usr/bin/env python3
"""tests/servers/mail_faults.py: fault injection for ebb's mail tests.

  mail_faults.py proxy TARGET_PORT MODE_FILE
      A TCP proxy on 127.0.0.1 in front of a real IMAP server (plain text,
      so ebb runs with tls = off). MODE_FILE is read at every new connection:
        pass           forward everything
        drop N         close the connection once N bytes came from the server
        drop-once N    the same for this connection, then switch the file to pass
        silent         accept and never answer (a hung server)
        waiting        first send Dovecot's "* OK Waiting for authentication
                       process to respond.." line, then forward (an idle
                       Dovecot whose auth process has exited does that)
        slow SECONDS   connect to the server only after SECONDS, then
                       forward (a slow network on every new connection)
      Each accepted connection appends a line to MODE_FILE.log.

  mail_faults.py smtp CERT KEY
      An SMTPS server (implicit TLS with CERT/KEY) that accepts the whole
      message, then closes the connection without answering the final dot:
      the client cannot know whether the mail was taken. Appends one line per
      connection to the file named by $FAKE_SMTP_LOG when set.

Both print the port they listen on as their first stdout line and run until
killed. Python 3 standard library only.
"""
import os
import socket
import ssl
import sys
import threading
import time


def listen():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    print(s.getsockname()[1], flush=True)
    return s


def read_mode(path):
    try:
        with open(path) as f:
            words = f.read().split()
    except OSError:
        words = []
    return words or ["pass"]


def pump(src, dst, limit, done):
    """Copies src to dst; after limit bytes (None = no limit) closes both."""
    sent = 0
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if limit is not None and sent + len(data) >= limit:
                dst.sendall(data[: max(0, limit - sent)])
                break
            dst.sendall(data)
            sent += len(data)
    except OSError:
        pass
    finally:
        done.set()
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve_proxy(target_port, mode_file):
    lsock = listen()
    while True:
        client, _ = lsock.accept()
        mode = read_mode(mode_file)
        with open(mode_file + ".log", "a") as log:
            log.write(" ".join(mode) + "\n")
        if mode[0] == "silent":
            threading.Thread(target=lambda c=client: (c.recv(1 << 20), c.close()),
                             daemon=True).start()
            continue
        limit = None
        if mode[0] in ("drop", "drop-once") and len(mode) > 1:
            limit = int(mode[1])
        if mode[0] == "drop-once":
            with open(mode_file, "w") as f:
                f.write("pass\n")
        delay = float(mode[1]) if mode[0] == "slow" and len(mode) > 1 else 0.0
        threading.Thread(target=forward, args=(client, target_port, mode[0], limit, delay),
                         daemon=True).start()


def forward(client, target_port, mode, limit, delay):
    """Connects client to the server (after delay seconds) and pumps both ways."""
    if delay:
        time.sleep(delay)
    try:
        server = socket.create_connection(("127.0.0.1", target_port))
        if mode == "waiting":
            client.sendall(b"* OK Waiting for authentication process to respond..\r\n")
    except OSError:
        client.close()
        return
    done = threading.Event()
    threading.Thread(target=pump, args=(client, server, None, done), daemon=True).start()
    threading.Thread(target=pump, args=(server, client, limit, done), daemon=True).start()


def smtp_session(conn):
    f = conn.makefile("rb")

    def say(line):
        conn.sendall(line.encode() + b"\r\n")

    say("220 fake.ebb.test ESMTP")
    while True:
        line = f.readline()
        if not line:
            return
        verb = line.split(b" ", 1)[0].split(b":", 1)[0].strip().upper()
        if verb in (b"EHLO", b"HELO"):
            say("250-fake.ebb.test")
            say("250 8BITMIME")
        elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
            say("250 ok")
        elif verb == b"DATA":
            say("354 go ahead")
            while True:
                data = f.readline()
                if not data or data == b".\r\n":
                    break
            return  # the message is in; the answer never comes
        elif verb == b"QUIT":
            say("221 bye")
            return
        else:
            say("502 no")


def serve_smtp(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    lsock = listen()
    while True:
        raw, _ = lsock.accept()
        log = os.environ.get("FAKE_SMTP_LOG")
        if log:
            with open(log, "a") as f:
                f.write("connection\n")

        def run(sock=raw):
            try:
                with ctx.wrap_socket(sock, server_side=True) as conn:
                    smtp_session(conn)
            except (OSError, ssl.SSLError):
                pass

        threading.Thread(target=run, daemon=True).start()


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "proxy":
        serve_proxy(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "smtp":
        serve_smtp(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
