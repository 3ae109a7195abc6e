// Package serveproto is the one definition of the contract between the
// benchmark harness and the server processes it starts ("sockbench serve"
// and "sockbench refserve"): the argument list of each command, as a struct
// whose fields are bound to flag names in one place (Register) and turned
// back into arguments from the same binding (Args); the runtime statistics
// record a server prints; and the control loop it runs on stdin.
//
// The launcher (harness/bench) builds arguments with Args, the commands
// (cmd/sockbench, RefServeMain) parse them with Register, so a flag name is
// written once. The package imports only the standard library.
package serveproto
