package load

import (
	"bufio"
	"bytes"
	"time"
)

// maxBatch is the most bytes the pipelined writer puts in one write (at
// least one request).
const maxBatch = 64 << 10

// runPipelined keeps Depth requests in flight on one connection: a writer
// goroutine sends as many requests as there are free slots in one write,
// and this goroutine reads the replies in order. Latency runs from the
// write that carried the request.
func (w *worker) runPipelined() {
	proto := w.r.cfg.Protocol
	req := proto.Request()
	depth := w.r.cfg.Depth
	perBatch := max(1, min(depth, maxBatch/len(req)))
	batch := bytes.Repeat(req, perBatch)
	var br *bufio.Reader
	for {
		c, ok := w.connect()
		if !ok {
			return
		}
		br = newReader(br, c, len(req))
		stage, err := w.pipelinedSession(c, br, proto, req, batch, depth)
		c.close()
		if err == nil || !w.fail(stage, err) {
			return
		}
	}
}

// pipelinedSession runs one connection until an error (returned with its
// stage) or the end of the run (nil). The writer goroutine is joined
// before it returns.
func (w *worker) pipelinedSession(c *guardedConn, br *bufio.Reader, proto Protocol, req, batch []byte, depth int) (string, error) {
	timeout := w.r.cfg.ReplyTimeout
	perBatch := len(batch) / len(req)
	// sent carries each request's send time from the writer to the reader.
	// The reader holds one while it reads that reply, so a capacity of
	// depth-1 allows exactly depth requests in flight.
	sent := make(chan time.Time, depth-1)
	readerDone := make(chan struct{})
	writerDone := make(chan struct{})
	var werr error
	var pushed int64 // requests handed to the reader (the writer's; read after it exits)
	go func() {
		defer close(writerDone)
		for {
			now := time.Now()
			select {
			case sent <- now:
			case <-readerDone:
				return
			}
			pushed++
			n := 1
		more:
			for n < perBatch {
				select {
				case sent <- now:
					pushed++
					n++
				default:
					break more
				}
			}
			if err := c.SetWriteDeadline(now.Add(timeout)); err != nil {
				werr = err
				_ = c.Conn.Close()
				return
			}
			if _, err := c.Write(batch[:n*len(req)]); err != nil {
				werr = err
				_ = c.Conn.Close() // unblock the reader
				return
			}
		}
	}()
	stage, answered, err := w.pipelinedReader(c, br, proto, req, sent, writerDone)
	close(readerDone)
	_ = c.Conn.Close() // unblock a writer stuck in Write
	<-writerDone
	if w.r.phase.Load() == phaseDone {
		w.st.inFlight = pushed - answered
	}
	if err == nil && werr != nil && w.r.phase.Load() != phaseDone {
		return "write", werr
	}
	return stage, err
}

// pipelinedReader reads and checks replies in order until an error or the
// end of the run; it also returns how many replies it read correctly.
func (w *worker) pipelinedReader(c *guardedConn, br *bufio.Reader, proto Protocol, req []byte, sent <-chan time.Time, writerDone <-chan struct{}) (stage string, answered int64, err error) {
	timeout := w.r.cfg.ReplyTimeout
	for {
		var t0 time.Time
		select {
		case t0 = <-sent:
		case <-writerDone:
			return "", answered, nil // the writer failed (its error wins) or the run ended
		case <-w.r.ctx.Done():
			return "", answered, nil
		}
		if err := c.SetReadDeadline(t0.Add(timeout)); err != nil {
			return "reply", answered, err
		}
		if err := proto.ReadReply(br, req); err != nil {
			return "reply", answered, err
		}
		answered++
		if !w.ok(time.Since(t0)) {
			return "", answered - 1, nil // read after the end: not counted, and not in flight
		}
	}
}
