package report

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver/results"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	o := defaultFake()
	o.workloads = []string{"keepalive"}
	r := fakeRun(t, o)
	paths, err := Write(dir, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	byExt := map[string][]string{}
	for _, p := range paths {
		byExt[filepath.Ext(p)] = append(byExt[filepath.Ext(p)], p)
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("%s: missing or empty (%v)", p, err)
		}
	}
	for _, name := range []string{"table.txt", "table.md", "run.csv", "bench.txt", "run.json", "report.html"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s not written: %v", name, err)
		}
	}
	// 4 metric charts + 3 latency charts (one per conns).
	if len(byExt[".png"]) != 7 || len(byExt[".svg"]) != 7 {
		t.Errorf("%d png, %d svg; want 7 each", len(byExt[".png"]), len(byExt[".svg"]))
	}
	for _, p := range byExt[".png"] {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width < 300 || cfg.Height < 200 {
			t.Errorf("%s: not a sensible PNG: %v %+v", p, err, cfg)
		}
	}
	for _, p := range byExt[".svg"] {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkXML(data); err != nil {
			t.Errorf("%s: not XML: %v", p, err)
		}
		if !bytes.Contains(data, []byte("<svg")) {
			t.Errorf("%s: no <svg> element", p)
		}
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	ext := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*(https?:)?//`)
	if m := ext.Find(html); m != nil {
		t.Errorf("report.html references an external resource: %s", m)
	}
	if bytes.Contains(html, []byte("http://")) || bytes.Contains(html, []byte("https://")) {
		t.Error("report.html contains an http(s) URL")
	}
	if n := bytes.Count(html, []byte(`<img src="data:image/png;base64,`)); n != 7 {
		t.Errorf("report.html has %d inline charts, want 7", n)
	}
	for _, want := range []string{"Fake CPU @ 2.0GHz", "server=1,client=0", "requests per server-CPU-second", "pool:workers=8,queue=64", "client-bound"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	// The JSON copy reads back.
	if _, err := results.ReadFile(filepath.Join(dir, "run.json")); err != nil {
		t.Error(err)
	}
}

func TestWriteFormats(t *testing.T) {
	dir := t.TempDir()
	formats, err := ParseFormats("markdown,bench")
	if err != nil {
		t.Fatal(err)
	}
	paths, err := Write(dir, fakeRun(t, defaultFake()), formats)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "table.md"), filepath.Join(dir, "bench.txt")}
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Errorf("paths = %v, want %v", paths, want)
	}
	if _, err := ParseFormats("pdf"); err == nil {
		t.Error("ParseFormats(pdf): no error")
	}
}

func checkXML(data []byte) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// TestReportInBrowser renders report.html in headless Chromium and checks
// that a screenshot came out. It needs chromium on PATH.
func TestReportInBrowser(t *testing.T) {
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("chromium not on PATH; install it (apt-get install -y chromium) to render report.html in a browser")
	}
	if testing.Short() {
		t.Skip("starts a browser; skipped with -short")
	}
	dir := t.TempDir()
	if _, err := Write(dir, fakeRun(t, defaultFake()), []string{"html"}); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "shot.png")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--screenshot="+shot, "--window-size=1280,2000",
		"file://"+filepath.Join(dir, "report.html"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v\n%s", err, out)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 2000 {
		t.Errorf("screenshot is %v, want 1280x2000", b)
	}
	// Not blank: some pixels differ from the first one.
	first := img.At(0, 0)
	distinct := 0
	for y := 0; y < img.Bounds().Dy(); y += 7 {
		for x := 0; x < img.Bounds().Dx(); x += 7 {
			if img.At(x, y) != first {
				distinct++
			}
		}
	}
	if distinct < 100 {
		t.Errorf("screenshot looks blank (%d differing pixels sampled)", distinct)
	}
	if os.Getenv("SOCKBENCH_KEEP_SCREENSHOT") != "" {
		data, _ := os.ReadFile(shot)
		_ = os.WriteFile(os.Getenv("SOCKBENCH_KEEP_SCREENSHOT"), data, 0o644)
	}
}

// TestChartsSayWhoStarves: a starving server's curve is drawn from the few
// clients it served, so its legend entry must say that it starved the
// others, in the connections charts and in the latency chart.
func TestChartsSayWhoStarves(t *testing.T) {
	o := defaultFake()
	o.workloads = []string{"keepalive"}
	r := fakeRun(t, o)
	for i := range r.Scenarios {
		if sc := &r.Scenarios[i]; sc.Strategy == "sync" && sc.Conns == 16 {
			sc.Warnings = append(sc.Warnings, results.Warning{Kind: results.Starved, Clients: 15, OfClients: 16})
		}
	}
	charts, err := Charts(r)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, ch := range charts {
		svg, err := ch.Render("svg")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"sync (starves clients at 16)", "sync (starved 15 of 16 clients: faint lines, only the 1 served)"} {
			if strings.Contains(string(svg), want) {
				found[want] = true
			}
		}
		if strings.Contains(string(svg), "goroutine (starv") {
			t.Errorf("%s: goroutine marked as starving", ch.Name)
		}
	}
	for _, want := range []string{"sync (starves clients at 16)", "sync (starved 15 of 16 clients: faint lines, only the 1 served)"} {
		if !found[want] {
			t.Errorf("no chart's legend says %q", want)
		}
	}
}

// TestWriteFollowsSymlinks checks that a report file that is a symbolic
// link is written through the link, which stays a link, for a text view and
// for the HTML page alike.
func TestWriteFollowsSymlinks(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	for _, name := range []string{"table.md", "report.html"} {
		if err := os.Symlink(filepath.Join(elsewhere, name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	formats, err := ParseFormats("md,html")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, fakeRun(t, defaultFake()), formats); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"table.md", "report.html"} {
		fi, err := os.Lstat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s: the symbolic link was replaced by a %v", name, fi.Mode())
		}
		if b, err := os.ReadFile(filepath.Join(elsewhere, name)); err != nil || len(b) == 0 {
			t.Errorf("%s: the link's target was not written (%d bytes, %v)", name, len(b), err)
		}
	}
}
