package load

import (
	"bufio"
	"time"
)

// runOpen sends requests at intended times, rate/n per connection with the
// n connections' phases staggered evenly, one request in flight (like
// wrk2). When a reply comes late, the next request goes out late, but its
// latency still runs from its intended send time, so the queueing the
// server caused is measured rather than omitted. A failed request is not
// retried: the schedule goes on.
func (w *worker) runOpen(n int) {
	proto := w.r.cfg.Protocol
	req := proto.Request()
	interval := float64(time.Second) * float64(n) / w.r.cfg.Rate // ns between this worker's sends
	var br *bufio.Reader
	if w.fine = newFineTimer(w.r.ctx); w.fine != nil {
		defer func() {
			if w.fine != nil {
				w.fine.close()
			}
		}()
	}
	c, ok := w.connect()
	if !ok {
		return
	}
	start := time.Now().Add(time.Duration(interval * float64(w.id) / float64(n)))
	for k := int64(0); ; {
		br = newReader(br, c, len(req))
		stage, err := w.openSession(c, br, proto, req, start, interval, &k)
		c.close()
		if err == nil || !w.fail(stage, err) {
			return
		}
		if c, ok = w.connect(); !ok {
			return
		}
	}
}

// openSession follows the schedule on c, from request *k on, until an
// error (returned with its stage) or the end of the run (nil).
func (w *worker) openSession(c *guardedConn, br *bufio.Reader, proto Protocol, req []byte, start time.Time, interval float64, k *int64) (string, error) {
	timeout := w.r.cfg.ReplyTimeout
	werr := bigWriter(req)
	for {
		intended := start.Add(time.Duration(interval * float64(*k)))
		*k++
		ready := false // idle before the intended time: any lateness is ours
		if time.Until(intended) > 0 {
			ready = true
			if !w.sleepUntil(intended) {
				return "", nil
			}
		}
		sendAt := time.Now()
		if w.phase() == phaseDone {
			return "", nil
		}
		w.st.sends++
		lag := sendAt.Sub(intended)
		w.st.maxLag = max(w.st.maxLag, lag)
		if lag > LateThreshold {
			w.st.late++
			if ready {
				w.st.clientLate++
			}
		}
		if !w.hold(1) { // the request on its way (emulated RTT)
			return "", nil
		}
		if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
			return "write", err
		}
		if stage, err := w.roundTrip(c, br, proto, req, werr); err != nil {
			return stage, err
		}
		if !w.hold(1) { // the reply on its way back
			return "", nil
		}
		now := time.Now()
		if !w.ok(now.Sub(intended)) {
			return "", nil
		}
		record(w.st.uncorr, now.Sub(sendAt))
	}
}
