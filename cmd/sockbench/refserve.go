package main

import (
	"context"
	"io"
	"os"

	"github.com/gosocketserver/socketserver/harness/bench"
	"github.com/gosocketserver/socketserver/internal/serveproto"
)

func init() {
	register(&command{
		name:    serveproto.RefServeCommand,
		summary: "reference server for benchmarks (hand-written, no abstraction)",
		usage:   bench.RefServeUsage,
		run: func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
			return bench.RefServeMain(ctx, args, os.Stdin, stdout, stderr)
		},
	})
}
