#!/usr/bin/python3
"""A local HTTP server for the sync test, speaking plain HTTP/1.1 as raw.githubusercontent.com
does for what aip uses: 200 with ETag and Last-Modified, 304 for a matching If-None-Match or
If-Modified-Since, 404 for missing files, and slow answers under /slow/ (to time out).
Every answer is logged as "STATUS PATH" lines to LOG.
Usage: http_server.py ROOT PORT_FILE LOG"""
import email.utils, hashlib, http.server, os, sys, time

root, port_file, log = sys.argv[1:4]

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout test)
        with open(log, "a") as f:
            f.write(f"{status} {self.path}\n")

    def do_GET(self):
        path = self.path.split("?")[0]
        if path.startswith("/slow/"):
            time.sleep(5)
        if path.startswith("/flaky/"):
            # Fails with 503 every other request: a retry gets through.
            marker = os.path.join(os.path.dirname(log), "flaky-count")
            n = int(open(marker).read()) if os.path.exists(marker) else 0
            open(marker, "w").write(str(n + 1))
            if n % 2 == 0:
                return self.answer(503, b"busy")
        local = os.path.realpath(os.path.join(root, path.lstrip("/")))
        if not local.startswith(os.path.realpath(root)) or not os.path.isfile(local):
            return self.answer(404, b"404: Not Found")
        body = open(local, "rb").read()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        modified = email.utils.formatdate(int(os.path.getmtime(local)), usegmt=True)
        if self.headers.get("If-None-Match") == etag:
            return self.answer(304, b"", [("ETag", etag)])
        self.answer(200, body, [("ETag", etag), ("Last-Modified", modified), ("Content-Type", "text/plain; charset=utf-8")])

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
