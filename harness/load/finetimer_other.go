//go:build !linux

package load

import (
	"context"
	"time"
)

// fineTimer is not available here: newFineTimer returns nil and workers
// sleep on Go timers.
type fineTimer struct{}

func newFineTimer(context.Context) *fineTimer { return nil }

func (*fineTimer) sleep(time.Duration) error { return errStopped }

func (*fineTimer) arm(time.Duration) error { return errStopped }

func (*fineTimer) wait() error { return errStopped }

func (*fineTimer) close() {}
