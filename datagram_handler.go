package socketserver

import (
	"bytes"
	"context"
	"errors"
)

// A DatagramStreamHandler is a DatagramHandler that gives Serve a reader
// over the datagram and a writer for the reply, like Python's
// DatagramRequestHandler with rfile and wfile. After Serve (and Finish)
// the reply is sent as ONE datagram, even when nothing was written (the
// sender then gets an empty datagram) and even when Serve failed or
// panicked, as Python's finish runs in a finally clause. It is safe for
// concurrent use by many datagrams.
type DatagramStreamHandler struct {
	// Serve handles one datagram (Python's handle).
	Serve func(ctx context.Context, s *DatagramStream) error
	// Setup, if set, runs before Serve; an error skips Serve, Finish and
	// the reply, as in Python.
	Setup func(ctx context.Context, s *DatagramStream) error
	// Finish, if set, runs after Serve, even when Serve failed or
	// panicked, before the reply is sent; it may still write to W.
	Finish func(ctx context.Context, s *DatagramStream) error
}

// A DatagramStream is one datagram as a DatagramStreamHandler's Serve sees
// it.
type DatagramStream struct {
	*Datagram
	// R reads the datagram's data (Python's rfile, a BytesIO over it).
	R *bytes.Reader
	// W collects the reply (Python's wfile); its bytes are sent as one
	// datagram after Serve.
	W *bytes.Buffer

	r bytes.Reader
	w bytes.Buffer
}

// ReadLine returns the datagram's next line with its newline, like
// Python's rfile.readline(): the rest of the data when it holds no newline,
// and an empty slice once all is read. The slice aliases the datagram's
// data; it is valid until the handler returns.
func (s *DatagramStream) ReadLine() []byte {
	data := s.Data[len(s.Data)-s.R.Len():]
	n := bytes.IndexByte(data, '\n') + 1
	if n == 0 {
		n = len(data)
	}
	_, _ = s.R.Seek(int64(n), 1)
	return data[:n:n]
}

// ServeDatagram implements DatagramHandler: it runs Setup, Serve and
// Finish and then sends W's bytes to the sender as one datagram; an error
// sending is joined to Serve's and Finish's.
func (h *DatagramStreamHandler) ServeDatagram(ctx context.Context, d *Datagram) (err error) {
	s := &DatagramStream{Datagram: d}
	s.r.Reset(d.Data)
	s.R, s.W = &s.r, &s.w
	if h.Setup != nil {
		if err := h.Setup(ctx, s); err != nil {
			return err
		}
	}
	defer func() {
		if rerr := d.Reply(s.w.Bytes()); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}()
	if h.Finish != nil {
		defer func() {
			if ferr := h.Finish(ctx, s); ferr != nil {
				err = errors.Join(err, ferr)
			}
		}()
	}
	if h.Serve == nil {
		return errors.New("socketserver: DatagramStreamHandler has no Serve")
	}
	return h.Serve(ctx, s)
}
