package serveproto

import (
	"fmt"
	"os"
	"strconv"
)

// DefaultLogRate is how many error lines per second "sockbench serve"
// logs when --log-rate is not given; the lines beyond it are counted and
// the count logged.
const DefaultLogRate = 20

// A FileMode is a flag value holding permission bits written in octal
// ("0660"); zero means unset.
type FileMode os.FileMode

// String returns the mode in octal with a leading 0 ("0660", or "0").
func (m *FileMode) String() string {
	if m == nil || *m == 0 {
		return "0"
	}
	return fmt.Sprintf("%#o", uint32(*m))
}

// Set parses octal permission bits, 0 to 0777.
func (m *FileMode) Set(s string) error {
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil || n > 0o777 {
		return fmt.Errorf("want octal permission bits in 0..0777, such as 0660")
	}
	*m = FileMode(n)
	return nil
}
