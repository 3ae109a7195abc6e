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
	return withProtocol(cfg.Workloads, spec)
}

// withProtocol makes every workload of ws speak the protocol spec (see
// load.ParseProtocol); "" leaves them as they are. bench and load share it.
func withProtocol(ws []bench.Workload, spec string) error {
	if spec == "" {
		return nil
	}
	p, err := load.ParseProtocol(spec)
	if err != nil {
		return err
	}
	if len(ws) == 0 {
		return errors.New("no workloads")
	}
	for i, w := range ws {
		if ws[i], err = w.WithProtocol(p, spec); err != nil {
			return err
		}
	}
	return nil
}
