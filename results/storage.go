package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
)

// ErrSchemaVersion reports a run whose schema major version this package
// cannot read (or a run with no schema version at all). Read and ReadFile
// wrap it; test for it with errors.Is.
var ErrSchemaVersion = errors.New("unsupported schema version")

// ErrMalformed reports a run file that is not valid JSON or does not have
// the shape of a Run. Read and ReadFile return it wrapped in a *FormatError
// that says where; test for it with errors.Is.
var ErrMalformed = errors.New("malformed run")

// FormatError locates a problem in a run file.
type FormatError struct {
	File   string // file name, empty when read from an io.Reader
	Offset int64  // byte offset of the problem (0-based), -1 if unknown
	Line   int    // 1-based line of Offset, 0 if unknown
	Column int    // 1-based column (in bytes) of Offset, 0 if unknown
	Err    error  // the underlying error
}

// Error describes the problem as "FILE:LINE:COL (byte N): malformed run: ...".
func (e *FormatError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
	} else {
		b.WriteString("<input>")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d (byte %d)", e.Line, e.Column, e.Offset)
	}
	b.WriteString(": ")
	b.WriteString(ErrMalformed.Error())
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying error.
func (e *FormatError) Unwrap() error { return e.Err }

// Is reports whether target is ErrMalformed.
func (e *FormatError) Is(target error) bool { return target == ErrMalformed }

// Write encodes r to w as indented JSON with Schema set to SchemaVersion.
// r itself is not modified. Arrays of numbers (histogram counts) stay on one
// line. Write fails, naming the scenario and field, if a number is NaN or
// infinite, since JSON cannot hold those.
func Write(w io.Writer, r *Run) error {
	if r == nil {
		return errors.New("write run: nil run")
	}
	cp := *r
	cp.Schema = SchemaVersion
	if err := checkFinite(&cp); err != nil {
		return fmt.Errorf("write run: %w", err)
	}
	compact, err := json.Marshal(&cp)
	if err != nil {
		return fmt.Errorf("write run: %w", err)
	}
	var buf bytes.Buffer
	buf.Grow(len(compact) * 2)
	indentJSON(&buf, compact)
	buf.WriteByte('\n')
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write run: %w", err)
	}
	return nil
}

// WriteFile writes r to the named file as Write does. A regular file (or
// a new one, created with mode 0644) is written to a temporary name in the
// same directory and renamed into place, so readers never see half a run;
// an existing file keeps its mode. WriteFile never replaces what is not a
// regular file: a symbolic link is followed and its target written, and a
// device or pipe (/dev/stdout, /dev/null, a FIFO) is written directly.
func WriteFile(path string, r *Run) error {
	var buf bytes.Buffer
	if err := Write(&buf, r); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := writeFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write run %s: %w", path, err)
	}
	return nil
}

// MaxRunSize is the largest run Read and ReadFile accept, in bytes:
// 256 MiB, over a hundred times the run of the default matrix (1.6 MB).
// Longer input is refused after MaxRunSize+1 bytes are read, with an error
// wrapping ErrTooLarge, so that "compare /dev/zero x.json" cannot read
// until the kernel kills it.
const MaxRunSize = 256 << 20

// ErrTooLarge reports input longer than MaxRunSize. Read and ReadFile
// wrap it; test for it with errors.Is.
var ErrTooLarge = errors.New("run too large")

// readChunk is how much readBounded reads at a time, and so how far past a
// NUL byte it may read before refusing it.
const readChunk = 64 << 10

// readBounded reads r to its end, refusing more than limit bytes
// and, as soon as it sees one, a NUL byte, which JSON text never holds
// (1 GiB of NUL padding was rejected only after reading it all).
func readBounded(name string, r io.Reader, limit int) ([]byte, error) {
	var buf bytes.Buffer
	chunk := make([]byte, readChunk)
	for {
		n, err := r.Read(chunk)
		if i := bytes.IndexByte(chunk[:n], 0); i >= 0 {
			data := append(buf.Bytes(), chunk[:i]...)
			fe := &FormatError{File: name, Offset: int64(len(data)), Err: errors.New("NUL byte: not JSON text (padded or binary file?)")}
			fe.Line, fe.Column = lineCol(data, fe.Offset)
			return nil, fe
		}
		buf.Write(chunk[:n])
		if buf.Len() > limit {
			return nil, fmt.Errorf("read run %s: %w: more than %d bytes (%d MiB), the limit", labelOf(name), ErrTooLarge, limit, limit>>20)
		}
		if errors.Is(err, io.EOF) {
			return buf.Bytes(), nil
		}
		if err != nil {
			return nil, fmt.Errorf("read run %s: %w", labelOf(name), err)
		}
	}
}

func labelOf(name string) string {
	if name == "" {
		return "<input>"
	}
	return name
}

// Read decodes a run written by Write, or by a sockbench that wrote schema
// 1.x (its English scenario warnings become structured Warnings whose text
// is unchanged). It rejects runs of other schema major versions with an
// error wrapping ErrSchemaVersion, and malformed or truncated input with a *FormatError
// (wrapping ErrMalformed) that gives the line, column and byte offset.
// Histograms are validated so that Histogram.HDR succeeds on every one.
// It reads at most MaxRunSize bytes (ErrTooLarge), stops at the first NUL
// byte, and validates the values (ErrInvalidValue: see MaxValue and the
// other bounds) and that no two scenarios share a Key
// (ErrDuplicateScenario); those errors are *FormatErrors too.
func Read(r io.Reader) (*Run, error) {
	data, err := readBounded("", r, MaxRunSize)
	if err != nil {
		return nil, err
	}
	return decode("", data)
}

// ReadFile reads the named file as Read does; every error names the file.
func ReadFile(path string) (*Run, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read run: %w", err)
	}
	defer f.Close()
	data, err := readBounded(path, f, MaxRunSize)
	if err != nil {
		return nil, err
	}
	return decode(path, data)
}

func decode(name string, data []byte) (*Run, error) {
	label := name
	if label == "" {
		label = "<input>"
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &FormatError{File: name, Offset: -1, Err: errors.New("empty file")}
	}
	// First the schema alone: a syntax error anywhere is found here (Unmarshal
	// checks the whole document first), and a future major version is
	// rejected before its fields can confuse the full decode.
	var probe struct {
		Schema *string `json:"schema"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, positionError(name, data, err)
	}
	if probe.Schema == nil {
		return nil, fmt.Errorf("%s: %w: no \"schema\" field (is this a sockbench run?)", label, ErrSchemaVersion)
	}
	if err := checkSchema(*probe.Schema); err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	var run Run
	if err := json.Unmarshal(data, &run); err != nil {
		return nil, positionError(name, data, err)
	}
	if isLegacy(run.Schema) {
		upgradeLegacy(&run)
	}
	for i := range run.Scenarios {
		sc := &run.Scenarios[i]
		for j := range sc.Samples {
			if h := sc.Samples[j].Histogram; h != nil {
				if err := h.Validate(); err != nil {
					return nil, &FormatError{File: name, Offset: -1,
						Err: fmt.Errorf("scenario %d (%s) sample %d: %w", i, sc.Key(), j, err)}
				}
			}
		}
	}
	if err := validate(&run); err != nil {
		return nil, &FormatError{File: name, Offset: -1, Err: err}
	}
	return &run, nil
}

// legacyMajor is the older major version Read still accepts: 1.x runs,
// whose scenario warnings are English text (see legacy.go).
const legacyMajor = "1"

// checkSchema accepts any "2.x" when SchemaVersion is "2.y", and any 1.x.
func checkSchema(v string) error {
	want, _, _ := strings.Cut(SchemaVersion, ".")
	major, _, _ := strings.Cut(v, ".")
	if _, err := strconv.Atoi(major); err != nil {
		return fmt.Errorf("%w %q: want %s.x", ErrSchemaVersion, v, want)
	}
	if major != want && major != legacyMajor {
		return fmt.Errorf("%w %q: this sockbench reads %s.x and %s.x; use a sockbench that writes %s.x", ErrSchemaVersion, v, legacyMajor, want, major)
	}
	return nil
}

// isLegacy reports whether schema version v is a 1.x.
func isLegacy(v string) bool {
	major, _, _ := strings.Cut(v, ".")
	return major == legacyMajor
}

// positionError turns a json error into a *FormatError with its position.
func positionError(name string, data []byte, err error) error {
	off := int64(-1)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
		if syn.Offset >= int64(len(data)) {
			err = fmt.Errorf("truncated: %w", err)
		}
	case errors.As(err, &typ):
		off = typ.Offset
	}
	fe := &FormatError{File: name, Offset: off, Err: err}
	if off >= 0 {
		fe.Line, fe.Column = lineCol(data, off)
	}
	return fe
}

// lineCol converts a byte offset into a 1-based line and column.
func lineCol(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = 1 + bytes.Count(before, []byte{'\n'})
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// checkFinite reports the first NaN or infinite float in the run's samples.
func checkFinite(r *Run) error {
	for i := range r.Scenarios {
		sc := &r.Scenarios[i]
		for j := range sc.Samples {
			if f, ok := firstNonFinite(reflect.ValueOf(sc.Samples[j]), ""); !ok {
				return fmt.Errorf("scenario %d (%s) sample %d: field %s is not a finite number", i, sc.Key(), j, f)
			}
		}
	}
	return nil
}

func firstNonFinite(v reflect.Value, path string) (string, bool) {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return path, false
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			name := t.Field(i).Name
			if path != "" {
				name = path + "." + name
			}
			if f, ok := firstNonFinite(v.Field(i), name); !ok {
				return f, false
			}
		}
	}
	return "", true
}

// indentJSON indents compact JSON with two spaces, as json.Indent would,
// except that arrays holding no objects or arrays are kept on one line.
// It is not json.Indent because of that exception, measured on the
// committed baseline (results/baseline/default.json): 1.6 MB in 4,362
// lines as written here, 8.2 MB in 478,339 lines with json.Indent (one
// histogram count per line).
func indentJSON(dst *bytes.Buffer, src []byte) {
	depth := 0
	newline := func() {
		dst.WriteByte('\n')
		for i := 0; i < depth; i++ {
			dst.WriteString("  ")
		}
	}
	inString := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if inString {
			dst.WriteByte(c)
			if c == '\\' && i+1 < len(src) {
				i++
				dst.WriteByte(src[i])
			} else if c == '"' {
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
			dst.WriteByte(c)
		case '[':
			if end, ok := flatArrayEnd(src, i); ok {
				// Scalars only: copy as is, with a space after commas.
				for _, b := range src[i : end+1] {
					dst.WriteByte(b)
					if b == ',' {
						dst.WriteByte(' ')
					}
				}
				i = end
				continue
			}
			fallthrough
		case '{':
			dst.WriteByte(c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				i++
				dst.WriteByte(src[i])
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			dst.WriteByte(c)
		case ',':
			dst.WriteByte(c)
			newline()
		case ':':
			dst.WriteString(": ")
		default:
			dst.WriteByte(c)
		}
	}
}

// flatArrayEnd returns the index of the ']' closing the array opened at
// src[start] if the array holds only numbers, booleans and nulls.
func flatArrayEnd(src []byte, start int) (int, bool) {
	for i := start + 1; i < len(src); i++ {
		switch src[i] {
		case ']':
			return i, true
		case '[', '{', '"':
			return 0, false
		}
	}
	return 0, false
}
