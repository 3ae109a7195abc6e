"""Python's datagram servers for the harness's black-box datagram tests.

Usage: python3 dgram_server.py udp|threading-udp|unixgram [PATH]

udp and threading-udp serve the docs' UDPServer example handler
(BaseRequestHandler: sendto(data.strip().upper())) on 127.0.0.1 with port
0; unixgram serves the DatagramRequestHandler version (one line of rfile,
stripped, upper-cased into wfile) at PATH. The address (port or path) is
printed on the first line of stdout; the server runs until stdin reaches
end of file. Handler errors (replies to vanished or unbound senders) go to
stderr, as socketserver's handle_error prints them.
"""
import socketserver
import sys
import threading


class Upper(socketserver.BaseRequestHandler):
    def handle(self):
        data = self.request[0].strip()
        socket = self.request[1]
        socket.sendto(data.upper(), self.client_address)


class StreamUpper(socketserver.DatagramRequestHandler):
    def handle(self):
        data = self.rfile.readline().strip()
        self.wfile.write(data.upper())


def main():
    kind = sys.argv[1]
    if kind == "unixgram":
        server = socketserver.UnixDatagramServer(sys.argv[2], StreamUpper)
        addr = sys.argv[2]
    else:
        cls = {"udp": socketserver.UDPServer,
               "threading-udp": socketserver.ThreadingUDPServer}[kind]
        server = cls(("127.0.0.1", 0), Upper)
        addr = server.server_address[1]
    with server:
        print(addr, flush=True)
        t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        t.start()
        sys.stdin.read()
        server.shutdown()
        t.join()


if __name__ == "__main__":
    main()
