package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeFromAClone checks what a new user meets first in the README:
// the first install command works from a clone (the module is not
// published, so "@latest" cannot come first), and every script the README
// runs with python3 is a file of the repository.
func TestReadmeFromAClone(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	first := regexp.MustCompile("(?m)^go install (\\S+)").FindStringSubmatch(text)
	if first == nil || first[1] != "./cmd/..." {
		t.Errorf("the README's first install command installs %q, want ./cmd/... (what works from a clone)", first)
	}
	if !strings.Contains(text, "PATH") {
		t.Error("the README does not say how to put the installed commands on PATH")
	}
	scripts := regexp.MustCompile(`python3 (\S+\.py)`).FindAllStringSubmatch(text, -1)
	if len(scripts) == 0 {
		t.Fatal("no python3 script in the README; the test looks for the seed's client")
	}
	for _, m := range scripts {
		if _, err := os.Stat(filepath.Join("..", m[1])); err != nil {
			t.Errorf("README runs python3 %s: %v", m[1], err)
		}
	}
}
