#!/usr/bin/env python3
"""A transparent TCP relay in front of the emulator that records HTTP heads.

    tap.py LISTEN_PORT TARGET_PORT LOG_FILE

Bytes are forwarded unchanged in both directions (so `Expect: 100-continue`,
chunked bodies, HTTP/1.0 and connection closes behave exactly as without the
relay). Each direction is also parsed as a stream of HTTP/1.x messages, and
every request and response head is appended to LOG_FILE as one JSON line:

    {"conn": 3, "dir": "request", "line": "POST /scene7/... HTTP/1.0",
     "headers": {"content-type": "text/xml; charset=utf-8", ...}}

The suite's runner empties LOG_FILE before each stack and reads it after, to
check which transport variants the stack really put on the wire. Parsing
errors only stop the recording for that connection, never the forwarding.
"""

import asyncio
import json
import sys

LOG = None


def record(conn, direction, line, headers):
    entry = {"conn": conn, "dir": direction, "line": line, "headers": headers}
    with open(LOG, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


class Parser:
    """Incremental HTTP/1.x message framing for one direction of a connection."""

    def __init__(self, conn, direction):
        self.conn = conn
        self.direction = direction
        self.buf = b""
        self.state = "head"
        self.remaining = 0
        self.broken = False
        self.pending_requests = []  # request methods, for responses to HEAD

    def feed(self, data, peer=None):
        if self.broken:
            return
        self.buf += data
        try:
            while self.step(peer):
                pass
        except Exception:  # recording is best effort; forwarding goes on
            self.broken = True

    def step(self, peer):
        if self.state == "head":
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return False
            head = self.buf[:end].decode("latin-1").split("\r\n")
            self.buf = self.buf[end + 4 :]
            line, headers = head[0], {}
            for h in head[1:]:
                name, _, value = h.partition(":")
                key = name.strip().lower()
                value = value.strip()
                headers[key] = headers[key] + ", " + value if key in headers else value
            record(self.conn, self.direction, line, headers)
            self.start_body(line, headers, peer)
            return True
        if self.state == "length":
            take = min(self.remaining, len(self.buf))
            self.buf = self.buf[take:]
            self.remaining -= take
            if self.remaining == 0:
                self.state = "head"
                return True
            return False
        if self.state == "chunk-size":
            end = self.buf.find(b"\r\n")
            if end < 0:
                return False
            size = int(self.buf[:end].split(b";")[0].strip(), 16)
            self.buf = self.buf[end + 2 :]
            if size == 0:
                self.state = "trailer"
            else:
                self.remaining = size + 2  # data and its CRLF
                self.state = "chunk-data"
            return True
        if self.state == "chunk-data":
            take = min(self.remaining, len(self.buf))
            self.buf = self.buf[take:]
            self.remaining -= take
            if self.remaining == 0:
                self.state = "chunk-size"
                return True
            return False
        if self.state == "trailer":
            end = self.buf.find(b"\r\n")
            if end < 0:
                return False
            self.buf = self.buf[end + 2 :]
            if end == 0:
                self.state = "head"
            return True
        if self.state == "until-close":
            self.buf = b""
            return False
        return False

    def start_body(self, line, headers, peer):
        te = headers.get("transfer-encoding", "").lower()
        length = headers.get("content-length")
        if self.direction == "request":
            if peer is not None:
                peer.pending_requests.append(line.split(" ", 1)[0])
            if "chunked" in te:
                self.state = "chunk-size"
            elif length:
                self.remaining = int(length)
                self.state = "length" if self.remaining else "head"
            else:
                self.state = "head"
            return
        # a response
        status = int(line.split(" ")[1])
        if 100 <= status < 200:
            self.state = "head"  # interim; the final response follows
            return
        method = self.pending_requests.pop(0) if self.pending_requests else "GET"
        if method == "HEAD" or status in (204, 304):
            self.state = "head"
        elif "chunked" in te:
            self.state = "chunk-size"
        elif length is not None:
            self.remaining = int(length)
            self.state = "length" if self.remaining else "head"
        else:
            self.state = "until-close"


COUNTER = 0


async def pipe(reader, writer, parser, peer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            parser.feed(data, peer)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            if writer.can_write_eof():
                writer.write_eof()
        except (OSError, RuntimeError):
            pass


async def handle(client_reader, client_writer, target_port):
    global COUNTER
    COUNTER += 1
    conn = COUNTER
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
    except OSError:
        client_writer.close()
        return
    requests = Parser(conn, "request")
    responses = Parser(conn, "response")
    await asyncio.gather(
        pipe(client_reader, server_writer, requests, responses),
        pipe(server_reader, client_writer, responses, None),
    )
    for w in (client_writer, server_writer):
        try:
            w.close()
        except OSError:
            pass


async def main():
    global LOG
    listen_port, target_port, LOG = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, target_port), "127.0.0.1", listen_port
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
