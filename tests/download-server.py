#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# A local HTTP server for the download tests: serves ROOT's files under
# /<mode>/<name>, where mode says how the mirror misbehaves, and appends one
# line per request ("mode name range-header-or-dash status") to LOG.
# Prints its port on the first line of stdout once it listens on 127.0.0.1.
#   good     the file, honouring "Range: bytes=N-" with a 206
#   norange  the file, always 200 (Range ignored)
#   corrupt  the file with bytes flipped in its second half
#   drop     headers for the whole file, half of it, then the connection closes
#   slow     half at once, then 1 KiB every 100 ms
#   anything else: 404
# Usage: download-server.py ROOT LOG

import http.server
import os
import socketserver
import sys
import threading
import time

ROOT, LOG = sys.argv[1], sys.argv[2]
log_lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def record(self, mode, name, status):
        with log_lock, open(LOG, 'a') as log:
            log.write(f'{mode} {name} {self.headers.get("Range", "-").replace(" ", "")} '
                      f'{status}\n')

    def do_GET(self):
        parts = self.path.strip('/').split('/')
        mode, name = (parts[0], parts[-1]) if len(parts) == 2 else ('', '')
        path = os.path.join(ROOT, name)
        if mode not in ('good', 'norange', 'corrupt', 'drop', 'slow') or not os.path.isfile(path):
            self.record(mode or '-', name or '-', 404)
            self.send_error(404)
            return
        with open(path, 'rb') as f:
            data = f.read()
        if mode == 'corrupt':
            data = data[:len(data) // 2] + bytes(b ^ 0x5a for b in data[len(data) // 2:])
        start = 0
        wanted = self.headers.get('Range', '')
        if mode != 'norange' and wanted.startswith('bytes=') and wanted.endswith('-'):
            start = int(wanted[6:-1])
        if start >= len(data) and start > 0:
            self.record(mode, name, 416)
            self.send_response(416)
            self.send_header('Content-Range', f'bytes */{len(data)}')
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        status = 206 if start > 0 else 200
        self.record(mode, name, status)
        self.send_response(status)
        self.send_header('Content-Type', 'application/octet-stream')
        self.send_header('Content-Length', str(len(data) - start))
        if status == 206:
            self.send_header('Content-Range', f'bytes {start}-{len(data) - 1}/{len(data)}')
        self.end_headers()
        body = data[start:]
        try:
            if mode == 'drop':
                self.wfile.write(body[:len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            if mode == 'slow':
                half = len(body) // 2
                self.wfile.write(body[:half])
                self.wfile.flush()
                for i in range(half, len(body), 1024):
                    time.sleep(0.1)
                    self.wfile.write(body[i:i + 1024])
                    self.wfile.flush()
                return
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


server = Server(('127.0.0.1', 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
