"""Python's socketserver serving the sockbench workloads, for side-by-side
benchmarks with "sockbench bench --exec".

Usage: python3 upper_server.py serial|threading|forking [upper|upperlines]

upper is the seed's StreamRequestHandler (one line, stripped, upper-cased,
no newline, then close: the churn workload); upperlines answers every line
upper-cased with its newline until EOF (the keepalive workload). Listens on
127.0.0.1 with a free port, prints HOST:PORT on the first line of stdout,
and serves until SIGTERM or SIGINT.
"""
import signal
import socketserver
import sys


class Upper(socketserver.StreamRequestHandler):
    def handle(self):
        data = self.rfile.readline().strip()
        self.wfile.write(data.upper())


class UpperLines(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:  # wfile is unbuffered: one write per reply
            self.wfile.write(line.upper())


class ThreadingServer(socketserver.ThreadingTCPServer):
    daemon_threads = True  # idle keep-alive clients must not block exit
    request_queue_size = 1024


class SerialServer(socketserver.TCPServer):
    request_queue_size = 1024


class ForkingServer(socketserver.ForkingTCPServer):
    # A child per connection, at most max_children (40) at once: the
    # serve loop waits in collect_children(blocking=True) beyond that.
    block_on_close = False  # idle keep-alive children must not block exit
    request_queue_size = 1024


def main():
    kind = sys.argv[1] if len(sys.argv) > 1 else "threading"
    handler = sys.argv[2] if len(sys.argv) > 2 else "upper"
    cls = {"serial": SerialServer, "threading": ThreadingServer, "forking": ForkingServer}[kind]
    h = {"upper": Upper, "upperlines": UpperLines}[handler]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with cls(("127.0.0.1", 0), h) as server:
        host, port = server.server_address[:2]
        print(f"{host}:{port}", flush=True)
        try:
            server.serve_forever()
        except (KeyboardInterrupt, SystemExit):
            pass


if __name__ == "__main__":
    main()
