package blackbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/harness/internal/seedclient"
)

// probeWindow is how long MeasureConcurrency waits for a probe's reply
// before it counts the probe as waiting. A served probe on a loaded
// machine answers in milliseconds; the Capacity check then confirms the
// result with its own bounds.
const probeWindow = time.Second

// Measured is the concurrency MeasureConcurrency found and the evidence.
type Measured struct {
	// Concurrency is what the server showed.
	Concurrency socketserver.Concurrency
	// Held is the number of silent clients that were connected when the
	// probe waited (bounded: Held == Concurrency.Max), or when it was still
	// served (unbounded: the most that were tried).
	Held int
}

// String says what was measured, e.g. "at most 8 (with 7 clients held a
// probe was served, with 8 it waited)".
func (m Measured) String() string {
	switch {
	case !m.Concurrency.Bounded():
		return fmt.Sprintf("unbounded (with %d clients held a probe was still served)", m.Held)
	case m.Held == 1:
		return "serial (with 1 client held a probe waited)"
	}
	return fmt.Sprintf("%v (with %d clients held a probe was served, with %d it waited)", m.Concurrency, m.Held-1, m.Held)
}

// MeasureConcurrency finds how many connections the server at
// network/addr serves at once: the smallest number k of silent clients
// whose holding makes a further client (the probe) wait. It tries k = 1,
// 2, 4 ... up to opts.Holders (default 64), then bisects; a probe still
// served with opts.Holders clients held means unbounded (a bound above
// opts.Holders looks unbounded). Every try releases its clients and
// requires every one of them, and the probe, to be answered in the end.
// It is bounded by ctx and returns the first failure.
func MeasureConcurrency(ctx context.Context, network, addr string, opts AddrOptions) (Measured, error) {
	max := opts.Holders
	if max <= 0 {
		max = 64
	}
	served := func(k int) (bool, error) { return probeServed(ctx, network, addr, k) }
	ok, err := served(1)
	if err != nil || !ok {
		return Measured{Concurrency: socketserver.Serial, Held: 1}, err
	}
	lo, hi := 1, 0 // a probe is served with lo held, waits with hi held
	for k := 2; hi == 0; k *= 2 {
		k = min(k, max)
		if ok, err = served(k); err != nil {
			return Measured{}, err
		}
		switch {
		case !ok:
			hi = k
		case k == max:
			return Measured{Concurrency: socketserver.Unbounded, Held: max}, nil
		default:
			lo = k
		}
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if ok, err = served(mid); err != nil {
			return Measured{}, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return Measured{Concurrency: socketserver.AtMost(hi), Held: hi}, nil
}

// probeServed holds k silent clients, sends a probe and reports whether it
// was answered within probeWindow (a probe closed without data, by a
// refusing server, counts as waiting). Then it releases the holders and
// requires each, and a waiting probe, to be answered.
func probeServed(ctx context.Context, network, addr string, k int) (bool, error) {
	hs, err := seedclient.HoldAll(ctx, network, addr, k)
	if err != nil {
		return false, err
	}
	defer seedclient.ReleaseAll(hs)
	stop := context.AfterFunc(ctx, func() { seedclient.ReleaseAll(hs) })
	defer stop()
	probe, err := seedclient.Dial(ctx, network, addr)
	if err != nil {
		return false, fmt.Errorf("probe with %d clients held: %w", k, err)
	}
	defer probe.Close()
	stopProbe := context.AfterFunc(ctx, func() { _ = probe.SetDeadline(time.Unix(1, 0)) })
	defer stopProbe()
	if _, err := probe.Write([]byte("probe\n")); err != nil {
		return false, fmt.Errorf("probe with %d clients held: %w", k, err)
	}
	_ = probe.SetReadDeadline(time.Now().Add(probeWindow))
	got, err := io.ReadAll(probe)
	waited := errors.Is(err, os.ErrDeadlineExceeded) && len(got) == 0
	switch {
	case err == nil && string(got) == "PROBE": // served
	case len(got) == 0 && !waited: // closed or reset without data: refused
	case !waited:
		return false, fmt.Errorf("probe with %d clients held: reply %s, %v; want %q", k, seedclient.Quote(got), err, "PROBE")
	}
	if err := seedclient.ReleaseAndCheck(hs); err != nil {
		return false, fmt.Errorf("releasing %d held clients: %w", k, err)
	}
	if !waited {
		return string(got) == "PROBE", nil
	}
	rest, err := seedclient.ReadAll(probe, seedclient.ReplyTimeout)
	if err != nil || len(rest) > 0 && string(rest) != "PROBE" {
		return false, fmt.Errorf("probe that waited for %d held clients: reply %s, %v; want %q", k, seedclient.Quote(rest), err, "PROBE")
	}
	return false, nil // answered (or refused) once the holders left
}
