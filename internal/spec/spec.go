// Package spec parses the "NAME:key=value,key=value" strings that name
// strategies and handlers on sockbench's command line, and reads typed
// options from them with errors that say what is allowed.
package spec

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// A Spec is a parsed "NAME:key=value,..." string.
type Spec struct {
	Name string
	Opts map[string]string
	used map[string]bool
}

// Parse splits s into a name and options. A bare "key" means "key=true".
func Parse(s string) (*Spec, error) {
	name, rest, _ := strings.Cut(strings.TrimSpace(s), ":")
	if name == "" {
		return nil, fmt.Errorf("empty name in %q", s)
	}
	sp := &Spec{Name: name, Opts: map[string]string{}, used: map[string]bool{}}
	if rest == "" {
		return sp, nil
	}
	for _, kv := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if k == "" {
			return nil, fmt.Errorf("empty option in %q", s)
		}
		if !ok {
			v = "true"
		}
		if _, dup := sp.Opts[k]; dup {
			return nil, fmt.Errorf("option %q given twice in %q", k, s)
		}
		sp.Opts[k] = strings.TrimSpace(v)
	}
	return sp, nil
}

// Int returns option key as an int no smaller than min, or def when absent.
func (s *Spec) Int(key string, def, min int) (int, error) {
	v, ok := s.get(key)
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min {
		return 0, fmt.Errorf("option %s=%q: want an integer >= %d", key, v, min)
	}
	return n, nil
}

// Bool returns option key as a bool, or def when absent.
func (s *Spec) Bool(key string, def bool) (bool, error) {
	v, ok := s.get(key)
	if !ok {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("option %s=%q: want true or false", key, v)
	}
	return b, nil
}

// Duration returns option key as a time.Duration, or def when absent.
func (s *Spec) Duration(key string, def time.Duration) (time.Duration, error) {
	v, ok := s.get(key)
	if !ok {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("option %s=%q: want a non-negative duration such as 1ms", key, v)
	}
	return d, nil
}

func (s *Spec) get(key string) (string, bool) {
	s.used[key] = true
	v, ok := s.Opts[key]
	return v, ok
}

// Unused returns an error naming options that no accessor asked for, and
// the allowed ones; call it after reading all options.
func (s *Spec) Unused(allowed ...string) error {
	var bad []string
	for k := range s.Opts {
		if !s.used[k] {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	if len(allowed) == 0 {
		return fmt.Errorf("%s takes no options (got %s)", s.Name, strings.Join(bad, ", "))
	}
	return fmt.Errorf("unknown option %s for %s (allowed: %s)", strings.Join(bad, ", "), s.Name, strings.Join(allowed, ", "))
}
