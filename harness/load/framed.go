package load

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Limits of a Framed protocol built from data.
const (
	MaxSendSize     = 1 << 20  // largest request, literal or file
	DefaultMaxReply = 1 << 20  // Framed.MaxReply when not set
	MaxMaxReply     = 64 << 20 // largest Framed.MaxReply
	maxSpecFile     = 64 << 10 // largest JSON spec file
)

// Framed is a Protocol described by data rather than Go code, for servers
// in any language: every request is the bytes Send, and the reply is
// framed in exactly one of three ways, then optionally checked against a
// regular expression.
//
//   - Delim: the reply ends with these bytes (a line, "\r\n", a NUL).
//   - LenPrefix: the reply is a length prefix and that many bytes: "u8",
//     "u16", "u32" (big-endian, network order) or "u16le", "u32le"; the
//     length counts the bytes after the prefix.
//   - Size: the reply is exactly Size bytes.
//
// Expect, when set, must match the reply's payload (without the delimiter
// or the prefix; RE2 syntax, unanchored unless it says ^ or $). MaxReply
// bounds a reply (default DefaultMaxReply): a longer one is wrong, so a
// hostile or confused server cannot make the generator buffer without
// bound. Replies that fit the reader's buffer (at least 4 KiB, up to
// 64 KiB for large requests) are checked without allocating.
type Framed struct {
	Send      []byte
	Delim     []byte
	LenPrefix string
	Size      int
	Expect    *regexp.Regexp
	MaxReply  int
}

// Request returns Send.
func (p *Framed) Request() []byte { return p.Send }

func (p *Framed) maxReply() int {
	if p.MaxReply == 0 {
		return DefaultMaxReply
	}
	return p.MaxReply
}

func (p *Framed) validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: protocol: "+format, append([]any{ErrBadConfig}, a...)...)
	}
	framings := 0
	for _, set := range []bool{len(p.Delim) > 0, p.LenPrefix != "", p.Size > 0} {
		if set {
			framings++
		}
	}
	switch {
	case len(p.Send) == 0:
		return bad("no request (send)")
	case len(p.Send) > MaxSendSize:
		return bad("request of %d bytes, above %d", len(p.Send), MaxSendSize)
	case framings != 1:
		return bad("give exactly one reply framing: delim, len or size")
	case p.MaxReply < 0 || p.MaxReply > MaxMaxReply:
		return bad("max %d: want 1..%d bytes", p.MaxReply, MaxMaxReply)
	case p.Size < 0 || p.Size > p.maxReply():
		return bad("size %d: want 1..%d (max)", p.Size, p.maxReply())
	}
	if p.LenPrefix != "" {
		if _, ok := prefixLen[p.LenPrefix]; !ok {
			return bad("len %q: want u8, u16, u32, u16le or u32le", p.LenPrefix)
		}
	}
	return nil
}

// prefixLen is the size in bytes of each length prefix.
var prefixLen = map[string]int{"u8": 1, "u16": 2, "u32": 4, "u16le": 2, "u32le": 4}

// ReadReply reads one framed reply and checks it against Expect.
func (p *Framed) ReadReply(r *bufio.Reader, _ []byte) error {
	switch {
	case len(p.Delim) > 0:
		return p.readDelim(r)
	case p.LenPrefix != "":
		b, err := r.Peek(prefixLen[p.LenPrefix])
		if err != nil {
			return missing(err, len(b))
		}
		var n uint64
		switch p.LenPrefix {
		case "u8":
			n = uint64(b[0])
		case "u16":
			n = uint64(binary.BigEndian.Uint16(b))
		case "u32":
			n = uint64(binary.BigEndian.Uint32(b))
		case "u16le":
			n = uint64(binary.LittleEndian.Uint16(b))
		case "u32le":
			n = uint64(binary.LittleEndian.Uint32(b))
		}
		if n > uint64(p.maxReply()) {
			return fmt.Errorf("%w: length prefix %d above the limit of %d bytes", ErrWrongReply, n, p.maxReply())
		}
		_, _ = r.Discard(len(b))
		return p.readN(r, int(n))
	default:
		return p.readN(r, p.Size)
	}
}

// missing wraps a read error that cut a reply short.
func missing(err error, got int) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: connection closed after %d bytes of a reply", ErrMissingReply, got)
	}
	return err
}

// readDelim reads through the delimiter.
func (p *Framed) readDelim(r *bufio.Reader) error {
	last := p.Delim[len(p.Delim)-1]
	var acc []byte // only for replies longer than the buffer or than one chunk
	for {
		chunk, err := r.ReadSlice(last)
		switch {
		case err == nil:
			if acc == nil && bytes.HasSuffix(chunk, p.Delim) {
				return p.check(chunk[:len(chunk)-len(p.Delim)])
			}
			acc = append(acc, chunk...)
			if bytes.HasSuffix(acc, p.Delim) {
				return p.check(acc[:len(acc)-len(p.Delim)])
			}
		case errors.Is(err, bufio.ErrBufferFull):
			acc = append(acc, chunk...)
		default:
			return missing(err, len(acc)+len(chunk))
		}
		if len(acc) > p.maxReply()+len(p.Delim) {
			return fmt.Errorf("%w: no delimiter %s within %d bytes, starting %s", ErrWrongReply, quote(p.Delim), p.maxReply(), quote(acc))
		}
	}
}

// readN reads an n-byte payload.
func (p *Framed) readN(r *bufio.Reader, n int) error {
	if n <= r.Size() {
		b, err := r.Peek(n)
		if err != nil {
			return missing(err, len(b))
		}
		err = p.check(b)
		_, _ = r.Discard(n)
		return err
	}
	if p.Expect == nil {
		if m, err := r.Discard(n); err != nil {
			return missing(err, m)
		}
		return nil
	}
	b := make([]byte, n)
	if m, err := io.ReadFull(r, b); err != nil {
		return missing(err, m)
	}
	return p.check(b)
}

// check matches a payload against Expect.
func (p *Framed) check(payload []byte) error {
	if p.Expect != nil && !p.Expect.Match(payload) {
		return fmt.Errorf("%w: %s does not match %s", ErrWrongReply, quote(payload), quote([]byte(p.Expect.String())))
	}
	return nil
}

// frameSpec is a protocol spec as data: the fields of both the string
// form and the JSON form.
type frameSpec struct {
	Send     string `json:"send"`
	SendFile string `json:"send_file"`
	Delim    string `json:"delim"`
	Len      string `json:"len"`
	Size     int    `json:"size"`
	Expect   string `json:"expect"`
	Max      int    `json:"max"`
}

// ParseProtocol builds a Framed protocol from a spec, given either as
// space-separated key=value pairs whose values may be Go string literals,
// interpreted ("...", with \r, \n, \x00 escapes) or raw (`...`, handy for
// regular expressions):
//
//	send="PING\r\n" delim="\r\n" expect=`^\+PONG$`
//	send=@request.bin len=u32 max=65536
//	send="GET\n" size=16
//
// or as "@FILE", a JSON file (at most 64 KiB) with the same keys:
// {"send": "PING\r\n", "delim": "\r\n", "expect": "^\\+PONG$"}, where
// "send_file" names a request file instead of "send". Keys: send (a
// literal, or @FILE for a file's bytes, at most MaxSendSize), one of delim,
// len (u8, u16, u32, u16le, u32le) or size, and optionally expect (a
// regular expression) and max (the longest reply, default 1 MiB). Errors
// wrap ErrBadConfig and say which key or file is wrong.
func ParseProtocol(s string) (*Framed, error) {
	var fs frameSpec
	if name, ok := strings.CutPrefix(strings.TrimSpace(s), "@"); ok {
		b, err := readLimited(name, maxSpecFile)
		if err != nil {
			return nil, err
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&fs); err != nil {
			return nil, fmt.Errorf("%w: protocol file %s: %w", ErrBadConfig, name, err)
		}
	} else if err := parseSpecString(s, &fs); err != nil {
		return nil, err
	}
	return fs.build()
}

// parseSpecString fills fs from "key=value key=\"quoted\"" pairs.
func parseSpecString(s string, fs *frameSpec) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: protocol: "+format, append([]any{ErrBadConfig}, a...)...)
	}
	seen := map[string]bool{}
	for rest := strings.TrimSpace(s); rest != ""; rest = strings.TrimLeftFunc(rest, unicode.IsSpace) {
		key, after, ok := strings.Cut(rest, "=")
		if !ok || key == "" || strings.ContainsFunc(key, unicode.IsSpace) {
			return bad("want key=value, got %q", rest)
		}
		var val string
		if strings.HasPrefix(after, `"`) || strings.HasPrefix(after, "`") {
			q, err := strconv.QuotedPrefix(after)
			if err != nil {
				return bad("%s: unterminated or bad quoted string %s", key, after)
			}
			val, _ = strconv.Unquote(q)
			rest = after[len(q):]
			if rest != "" && !unicode.IsSpace(rune(rest[0])) {
				return bad("%s: a space must follow the quoted value", key)
			}
		} else {
			end := strings.IndexFunc(after, unicode.IsSpace)
			if end < 0 {
				end = len(after)
			}
			val, rest = after[:end], after[end:]
		}
		if seen[key] {
			return bad("%s given twice", key)
		}
		seen[key] = true
		var err error
		switch key {
		case "send":
			if name, ok := strings.CutPrefix(val, "@"); ok {
				fs.SendFile = name
			} else {
				fs.Send = val
			}
		case "delim":
			fs.Delim = val
		case "len":
			fs.Len = val
		case "size":
			fs.Size, err = strconv.Atoi(val)
		case "max":
			fs.Max, err = strconv.Atoi(val)
		case "expect":
			fs.Expect = val
		default:
			return bad("unknown key %q (known: send, delim, len, size, expect, max)", key)
		}
		if err != nil {
			return bad("%s=%q: want a whole number of bytes", key, val)
		}
	}
	return nil
}

// build checks fs and makes the protocol.
func (fs frameSpec) build() (*Framed, error) {
	p := &Framed{Send: []byte(fs.Send), Delim: []byte(fs.Delim), LenPrefix: fs.Len, Size: fs.Size, MaxReply: fs.Max}
	if fs.SendFile != "" {
		if fs.Send != "" {
			return nil, fmt.Errorf("%w: protocol: give send or send_file, not both", ErrBadConfig)
		}
		b, err := readLimited(fs.SendFile, MaxSendSize)
		if err != nil {
			return nil, err
		}
		p.Send = b
	}
	if fs.Expect != "" {
		re, err := regexp.Compile(fs.Expect)
		if err != nil {
			return nil, fmt.Errorf("%w: protocol: expect: %w", ErrBadConfig, err)
		}
		p.Expect = re
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// readLimited reads a file of at most limit bytes, without reading more
// than limit+1 of a larger one (or of a device that never ends).
func readLimited(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%w: protocol: %w", ErrBadConfig, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: protocol: %s: %w", ErrBadConfig, name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: protocol: %s is larger than the limit of %d bytes", ErrBadConfig, name, limit)
	}
	return b, nil
}
