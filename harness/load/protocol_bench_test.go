package load

import (
	"bufio"
	"bytes"
	"testing"
)

// BenchmarkUpperLineReadReply checks one reply per operation, as every
// closed-loop worker does after each request.
func BenchmarkUpperLineReadReply(b *testing.B) {
	p := UpperLine{}
	req := p.Request()
	src := bytes.Repeat(bytes.ToUpper(req), 64)
	rd := bytes.NewReader(src)
	br := bufio.NewReaderSize(rd, 4096)
	i := 0
	for b.Loop() {
		if i == 64 {
			rd.Reset(src)
			br.Reset(rd)
			i = 0
		}
		if err := p.ReadReply(br, req); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
