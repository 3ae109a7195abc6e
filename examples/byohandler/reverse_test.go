package byohandler_test

import (
	"bufio"
	"errors"
	"strings"
	"testing"

	"github.com/gosocketserver/socketserver/examples/byohandler"
	"github.com/gosocketserver/socketserver/harness/load"
)

func TestReverseLineReadReply(t *testing.T) {
	p := byohandler.ReverseLine{Line: "abc"}
	for _, tc := range []struct {
		reply string
		want  error
	}{
		{"cba\n", nil},
		{"abc\n", load.ErrWrongReply},
		{"cb", load.ErrMissingReply},
	} {
		err := p.ReadReply(bufio.NewReader(strings.NewReader(tc.reply)), p.Request())
		if !errors.Is(err, tc.want) {
			t.Errorf("ReadReply(%q) = %v, want %v", tc.reply, err, tc.want)
		}
	}
}
