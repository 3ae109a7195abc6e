package serveproto

import "flag"

// RefServeCommand is the sockbench subcommand that RefServe describes.
const RefServeCommand = "refserve"

// DefaultRefWorkers is the worker count of the reference pool server when
// none is given, as the performance facts' hand-written pool.
const DefaultRefWorkers = 64

// RefServe is one invocation of "sockbench refserve", the hand-written
// reference server: each field is one flag. DefaultRefServe holds the
// command's defaults.
type RefServe struct {
	Kind       string // --kind: goroutine, pool, serial or gnet
	Workers    int    // --workers: pool size
	Handler    string // --handler: upper, upperlines or echo
	Addr       string // --addr: TCP address to listen on
	Backlog    int    // --backlog: accepted for symmetry with Serve; unused
	PrintAddr  bool   // --print-addr: print the bound address first on stdout
	Control    bool   // --control: run Control on stdin
	CPUProfile string // --cpuprofile: write a CPU profile to this file
}

// DefaultRefServe returns the invocation "sockbench refserve" with no
// flags means (it then refuses the empty Kind).
func DefaultRefServe() RefServe {
	return RefServe{Workers: DefaultRefWorkers, Handler: "upperlines", Addr: "127.0.0.1:0"}
}

// Register defines one flag per field on fs, each defaulting to the
// field's current value and parsed into it.
func (r *RefServe) Register(fs *flag.FlagSet) {
	fs.StringVar(&r.Kind, "kind", r.Kind, "goroutine, pool, serial or gnet")
	RefWorkersRange.Var(fs, &r.Workers, "workers", "pool size")
	fs.StringVar(&r.Handler, "handler", r.Handler, "upper, upperlines or echo")
	fs.StringVar(&r.Addr, "addr", r.Addr, "TCP address to listen on")
	BacklogRange.Var(fs, &r.Backlog, "backlog", "accepted for symmetry with serve")
	fs.BoolVar(&r.PrintAddr, "print-addr", r.PrintAddr, "print the bound address alone on the first line of stdout")
	fs.BoolVar(&r.Control, "control", r.Control, "read commands on stdin")
	fs.StringVar(&r.CPUProfile, "cpuprofile", r.CPUProfile, "write a CPU profile of the serving to this file")
}

// Args returns the command line (RefServeCommand first) that makes
// "sockbench refserve" run r: one "--name=value" argument for each field
// that differs from DefaultRefServe.
func (r RefServe) Args() []string {
	def := DefaultRefServe()
	return argsOf(RefServeCommand, r.Register, def.Register)
}
