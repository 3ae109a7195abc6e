package main

import (
	"errors"
	"fmt"

	"github.com/gosocketserver/socketserver/harness/bench"
	"github.com/gosocketserver/socketserver/harness/load"
)

// applyProtocol gives every workload of cfg the protocol built from spec
// (bench --protocol), when spec is not empty. Only external servers speak
// a protocol of their own: a strategy or reference target alongside is
// refused.
func applyProtocol(cfg *bench.Config, spec string) error {
	if spec == "" {
		return nil
	}
	for _, t := range cfg.Targets {
		if t.Kind != bench.KindExternal {
			return fmt.Errorf("target %s speaks the workloads' own protocols; --protocol applies to external servers only (--addr, --exec)", t.Name)
		}
	}
	p, err := load.ParseProtocol(spec)
	if err != nil {
		return err
	}
	if len(cfg.Workloads) == 0 {
		return errors.New("no workloads")
	}
	for i, w := range cfg.Workloads {
		if cfg.Workloads[i], err = w.WithProtocol(p, spec); err != nil {
			return err
		}
	}
	return nil
}
