package pybytes

// IsSpace reports whether c is whitespace as Python's bytes.strip sees it:
// ASCII space, \t, \n, \r, \v and \f. No other byte is.
func IsSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	}
	return false
}

// Strip returns b without leading and trailing IsSpace bytes, like
// Python's bytes.strip(). It returns a sub-slice of b.
func Strip(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && IsSpace(b[i]) {
		i++
	}
	for j > i && IsSpace(b[j-1]) {
		j--
	}
	return b[i:j]
}

// Upper returns c upper-cased as Python's bytes.upper() does: ASCII a-z
// change, every other byte stays.
func Upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// UpperInPlace applies Upper to every byte of b and returns b.
func UpperInPlace(b []byte) []byte {
	for i, c := range b {
		b[i] = Upper(c)
	}
	return b
}

// AppendUpper appends src, with Upper applied to every byte, to dst and
// returns the extended slice; src is not modified.
func AppendUpper(dst, src []byte) []byte {
	for _, c := range src {
		dst = append(dst, Upper(c))
	}
	return dst
}
