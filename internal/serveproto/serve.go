package serveproto

import (
	"flag"
	"time"
)

// ServeCommand is the sockbench subcommand that Serve describes.
const ServeCommand = "serve"

// DefaultBacklog is the listen backlog of "sockbench serve" when none is
// given: Python's request_queue_size (socketserver.DefaultRequestQueueSize).
const DefaultBacklog = 5

// ReadyTimeout bounds how long serve waits, after Serve began, for a
// strategy whose serving starts later (prefork's workers) before it prints
// its address (--print-addr); a launcher waiting for the address must
// allow at least that long.
const ReadyTimeout = 30 * time.Second

// Serve is one invocation of "sockbench serve": each field is one flag.
// DefaultServe holds the command's defaults.
type Serve struct {
	Strategy        string        // --strategy: strategy spec
	Handler         string        // --handler: handler spec
	Addr            string        // --addr: TCP address to listen on
	Network         string        // --network: tcp, tcp4, tcp6; udp, udp4, udp6, unixgram (with Unix)
	Unix            string        // --unix: Unix socket path; overrides Network and Addr
	RemoveSocket    bool          // --remove-socket: remove the Unix socket file on exit
	Backlog         int           // --backlog: listen backlog
	ReuseAddress    bool          // --reuse-address: SO_REUSEADDR
	ReusePort       bool          // --reuse-port: SO_REUSEPORT
	Quiet           bool          // --quiet: do not log each request
	PrintAddr       bool          // --print-addr: print the bound address first on stdout
	Control         bool          // --control: run Control on stdin
	ShutdownTimeout time.Duration // --shutdown-timeout: bound on a graceful shutdown

	ReadTimeout       time.Duration // --read-timeout: Server.ReadTimeout (0 = none)
	WriteTimeout      time.Duration // --write-timeout: Server.WriteTimeout (0 = none)
	IdleTimeout       time.Duration // --idle-timeout: Server.IdleTimeout (0 = the read timeout)
	MaxLine           int           // --max-line: Server.MaxLineSize (0 = unlimited)
	UnixMode          FileMode      // --unix-mode: the socket file's mode (0 = the umask's)
	UnixGroup         string        // --unix-group: the socket file's group
	RemoveStaleSocket bool          // --remove-stale-socket: Server.RemoveStaleSocket
	LogRate           int           // --log-rate: error lines per second at most (0 = no limit)
	StatsAddr         string        // --stats-addr: serve Stats over HTTP here (StatsHandler); "" = none
}

// DefaultServe returns the invocation "sockbench serve" with no flags
// means: the seed's server.
func DefaultServe() Serve {
	return Serve{
		Strategy:        "sync",
		Handler:         "upper",
		Addr:            "localhost:9999",
		Network:         "tcp",
		Backlog:         DefaultBacklog,
		ReuseAddress:    true,
		ShutdownTimeout: 5 * time.Second,
		LogRate:         DefaultLogRate,
	}
}

// Register defines one flag per field on fs, each defaulting to the
// field's current value and parsed into it.
func (s *Serve) Register(fs *flag.FlagSet) {
	fs.StringVar(&s.Strategy, "strategy", s.Strategy, "how connections are executed")
	fs.StringVar(&s.Handler, "handler", s.Handler, "what the server does per connection")
	fs.StringVar(&s.Addr, "addr", s.Addr, "TCP address to listen on")
	fs.StringVar(&s.Network, "network", s.Network, "tcp, tcp4, tcp6, udp, udp4, udp6 or unixgram (with --unix)")
	fs.StringVar(&s.Unix, "unix", s.Unix, "listen on a Unix stream socket instead of TCP")
	fs.BoolVar(&s.RemoveSocket, "remove-socket", s.RemoveSocket, "remove the Unix socket file on exit")
	BacklogRange.Var(fs, &s.Backlog, "backlog", "listen backlog")
	fs.BoolVar(&s.ReuseAddress, "reuse-address", s.ReuseAddress, "set SO_REUSEADDR")
	fs.BoolVar(&s.ReusePort, "reuse-port", s.ReusePort, "set SO_REUSEPORT")
	fs.BoolVar(&s.Quiet, "quiet", s.Quiet, "do not log each request")
	fs.BoolVar(&s.PrintAddr, "print-addr", s.PrintAddr, "print the bound address alone on the first line of stdout")
	fs.BoolVar(&s.Control, "control", s.Control, "read commands on stdin")
	ShutdownTimeoutRange.Var(fs, &s.ShutdownTimeout, "shutdown-timeout", "how long a graceful shutdown may wait")
	TimeoutRange.Var(fs, &s.ReadTimeout, "read-timeout", "bound on reading one request (a line) from its first byte; 0 = none")
	TimeoutRange.Var(fs, &s.WriteTimeout, "write-timeout", "bound on writing one reply; 0 = none")
	TimeoutRange.Var(fs, &s.IdleTimeout, "idle-timeout", "bound on the wait for a request's first byte; 0 = the read timeout")
	MaxLineRange.Var(fs, &s.MaxLine, "max-line", "longest line in bytes, newline not counted; 0 = unlimited")
	fs.Var(&s.UnixMode, "unix-mode", "the Unix socket file's mode, octal, e.g. 0660; 0 = the umask's")
	fs.StringVar(&s.UnixGroup, "unix-group", s.UnixGroup, "the Unix socket file's group, a name or an id")
	fs.BoolVar(&s.RemoveStaleSocket, "remove-stale-socket", s.RemoveStaleSocket, "remove a Unix socket file nobody listens on before binding")
	LogRateRange.Var(fs, &s.LogRate, "log-rate", "error log lines per second at most, the rest counted; 0 = no limit")
	fs.StringVar(&s.StatsAddr, "stats-addr", s.StatsAddr, "serve the runtime statistics over HTTP at this address, path /stats")
}

// Args returns the command line (ServeCommand first) that makes
// "sockbench serve" run s: one "--name=value" argument for each field that
// differs from DefaultServe.
func (s Serve) Args() []string {
	def := DefaultServe()
	return argsOf(ServeCommand, s.Register, def.Register)
}
