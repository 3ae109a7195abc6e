"""The seed's server for the harness's black-box tests.

Usage: python3 seed_server.py serial|threading

Serves the seed's StreamRequestHandler (one line, stripped, upper-cased,
no newline) on 127.0.0.1 with port 0, prints the port on the first line of
stdout, and serves until stdin reaches end of file.
"""
import socketserver
import sys
import threading


class Upper(socketserver.StreamRequestHandler):
    def handle(self):
        data = self.rfile.readline().strip()
        self.wfile.write(data.upper())


def main():
    kind = sys.argv[1]
    cls = {"serial": socketserver.TCPServer,
           "threading": socketserver.ThreadingTCPServer}[kind]
    with cls(("127.0.0.1", 0), Upper) as server:
        print(server.server_address[1], flush=True)
        t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        t.start()
        sys.stdin.read()
        server.shutdown()
        t.join()


if __name__ == "__main__":
    main()
