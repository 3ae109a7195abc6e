package eventloop

import (
	"errors"
	"sync"
)

// A pool is Offload's bounded set of worker goroutines. The queue never
// blocks the loop that submits, and it holds at most one job per
// connection (a connection with a job in it is busy), so it is bounded by
// the number of connections.
type pool struct {
	mu     sync.Mutex
	cond   *sync.Cond
	jobs   []func()
	closed bool
	wg     sync.WaitGroup
}

func newPool(n int) *pool {
	p := &pool{}
	p.cond = sync.NewCond(&p.mu)
	for range n {
		p.wg.Go(p.work)
	}
	return p
}

func (p *pool) work() {
	for {
		p.mu.Lock()
		for len(p.jobs) == 0 && !p.closed {
			p.cond.Wait()
		}
		if len(p.jobs) == 0 {
			p.mu.Unlock()
			return
		}
		job := p.jobs[0]
		p.jobs[0] = nil
		p.jobs = p.jobs[1:]
		p.mu.Unlock()
		job()
	}
}

func (p *pool) submit(job func()) {
	p.mu.Lock()
	p.jobs = append(p.jobs, job)
	p.mu.Unlock()
	p.cond.Signal()
}

// stop lets the workers finish the queue and waits for them.
func (p *pool) stop() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.cond.Broadcast()
	p.wg.Wait()
}

// offloadInput keeps what a read brought for the connection's worker:
// in c.in, handed to a worker at once, or in c.more while one has c.in.
func (lp *loop) offloadInput(c *conn, data []byte) {
	if c.busy {
		c.more = append(c.more, data...)
		return
	}
	c.in = append(c.in, data...)
	lp.submit(c)
}

// submit hands c's input to a worker, which feeds the session (its
// replies gather in c.jobOut) and posts the result back to the loop. The
// worker owns c.in, c.jobOut and the session until then.
func (lp *loop) submit(c *conn) {
	c.busy, c.stalled = true, false
	c.jobEOF = c.eof
	data, atEOF := c.in, c.eof
	lp.e.pool.submit(func() {
		used, err := c.feed(data, atEOF)
		done := c.sess.Done()
		stalled := used < len(data) && c.jobFull()
		lp.post(func() { lp.jobDone(c, used, err, done, stalled) })
	})
}

// jobDone takes c back from its worker: send the replies, keep the rest
// of the input, and hand the worker what is left to do: the messages that
// waited for the output queue, the input that came meanwhile, the end of
// input.
func (lp *loop) jobDone(c *conn, used int, err error, done, stalled bool) {
	c.busy = false
	if len(c.jobOut) > 0 && !c.detached && !errors.Is(c.err, errAborted) {
		_, _ = c.send(c.jobOut) // a failure closes c, below
	}
	c.jobOut = c.jobOut[:0]
	rest := c.in[used:]
	grew := len(c.more) > 0
	c.in = append(c.in[:copy(c.in, rest)], c.more...)
	c.more = nil
	if len(c.in) == 0 {
		c.in = nil
	}
	switch {
	case err != nil || done:
		c.in, c.closing = nil, true
		if c.err == nil {
			c.err = err
		}
	case c.closing: // aborted, or the client went away meanwhile
	case stalled || grew || c.eof && !c.jobEOF:
		c.stalled = true // submitted now, or by resume once the queue drains
		lp.resume(c)
	case c.jobEOF:
		c.in, c.closing = nil, true
	}
	if c.detached && !c.busy {
		lp.finish(c)
		return
	}
	if !c.finished {
		lp.settle(c)
	}
}
