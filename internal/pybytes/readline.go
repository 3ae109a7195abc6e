package pybytes

import (
	"bufio"
	"errors"
	"io"
)

// ErrLineTooLong is returned by ReadLine for a line longer than its limit.
var ErrLineTooLong = errors.New("line too long")

// ReadLine reads one line from r like Python's file.readline(): up to and
// including '\n', or what is left before end of input, returned with a nil
// error (the next call returns an empty line and io.EOF). A line that does
// not fit r's buffer is gathered in *long, which is reused from call to
// call: the line is valid until the next read from r or use of *long.
// With max > 0 a line of more than max bytes, not counting its
// terminating '\n', fails with ErrLineTooLong and is not consumed past the
// point where it became too long: "abcde\n" and "abcde" before end of
// input are both within max=5, and both over max=4. Any other read error is returned with the bytes read before it.
func ReadLine(r *bufio.Reader, long *[]byte, max int) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err == nil || (errors.Is(err, io.EOF) && len(line) > 0) {
		return checkLen(line, max)
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return line, err
	}
	*long = append((*long)[:0], line...)
	for {
		if max > 0 && len(*long) > max { // no '\n' among them yet
			return nil, ErrLineTooLong
		}
		line, err = r.ReadSlice('\n')
		*long = append(*long, line...)
		switch {
		case err == nil, errors.Is(err, io.EOF):
			return checkLen(*long, max)
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return *long, err
		}
	}
}

// checkLen applies the limit to line without its newline.
func checkLen(line []byte, max int) ([]byte, error) {
	n := len(line)
	if n > 0 && line[n-1] == '\n' {
		n--
	}
	if max > 0 && n > max {
		return nil, ErrLineTooLong
	}
	return line, nil
}
