package pybytes

import (
	"bufio"
	"bytes"
	"testing"
)

// benchLine is the line the instruction-count benchmarks work on: the
// load generator's default request size.
var benchLine = []byte("the quick brown fox jumps over the lazy dog, 0123456789 times\n")

func BenchmarkUpperInPlace(b *testing.B) {
	line := bytes.Clone(benchLine)
	for b.Loop() {
		copy(line, benchLine)
		UpperInPlace(line)
	}
}

func BenchmarkStrip(b *testing.B) {
	line := []byte("  \t" + string(benchLine) + " \r\n")
	for b.Loop() {
		if len(Strip(line)) == 0 {
			b.Fatal("stripped to nothing")
		}
	}
}

// BenchmarkReadLine reads one line per operation from a buffered reader
// refilled from memory.
func BenchmarkReadLine(b *testing.B) {
	src := bytes.Repeat(benchLine, 64)
	rd := bytes.NewReader(src)
	br := bufio.NewReaderSize(rd, 4096)
	var long []byte
	i := 0
	for b.Loop() {
		if i == 64 {
			rd.Reset(src)
			br.Reset(rd)
			i = 0
		}
		if _, err := ReadLine(br, &long, 0); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
