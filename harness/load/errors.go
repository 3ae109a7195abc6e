package load

import (
	"errors"
	"net"
	"os"
	"strconv"
)

// ErrBadConfig is wrapped by the error Run returns when the Config is
// invalid (unknown mode or network, negative counts, Open without a Rate...).
var ErrBadConfig = errors.New("load: bad config")

// ErrUnreachable is wrapped by the error Run returns when no worker could
// open a single connection before the run started, so nothing at all could
// be measured. The first dial error is wrapped beside it.
var ErrUnreachable = errors.New("load: no connection could be established")

// ErrWrongReply is wrapped by a Protocol's ReadReply (and by the churn
// check) when a reply arrived but is not the expected one.
var ErrWrongReply = errors.New("load: wrong reply")

// ErrMissingReply is wrapped by a Protocol's ReadReply (and by the churn
// check) when the connection ended before the whole reply arrived.
var ErrMissingReply = errors.New("load: missing reply")

// ErrReplyTimeout is wrapped by the errors counted when a reply (or a
// write) did not complete within Config.ReplyTimeout.
var ErrReplyTimeout = errors.New("load: reply timeout")

// errText turns a per-request error into a short message without the
// connection's addresses (which differ for every connection and would make
// every sample distinct), prefixed with the stage that failed.
func errText(stage string, err error) string {
	if errors.Is(err, ErrReplyTimeout) || errors.Is(err, os.ErrDeadlineExceeded) {
		return stage + ": timeout"
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		inner := op.Err
		var se *os.SyscallError
		if errors.As(inner, &se) {
			inner = se.Err
		}
		return stage + ": " + inner.Error()
	}
	return stage + ": " + err.Error()
}

// quote shows at most 48 bytes of b, Go-quoted, for error messages.
func quote(b []byte) string {
	const max = 48
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "..."
	}
	return strconv.Quote(string(b))
}
