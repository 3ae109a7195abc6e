package serveproto

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// StatsPath is the path of a server's stats endpoint.
const StatsPath = "/stats"

// maxStatsBody bounds the stats record FetchStats reads.
const maxStatsBody = 64 << 10

// ErrStatsEndpoint reports a stats endpoint that answered something other
// than a stats record.
var ErrStatsEndpoint = errors.New("bad stats endpoint reply")

// StatsHandler serves read() as one JSON Stats record (the one WriteStats
// writes) at StatsPath, for GET only: the same record the control channel
// prints, over HTTP, so that a collector on another host can read a
// server's own figures.
func StatsHandler(read func() Stats) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+StatsPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = WriteStats(w, read())
	})
	return mux
}

// StatsURL returns the URL of the stats endpoint at addr (host:port), or
// addr itself when it already is a URL.
func StatsURL(addr string) string {
	if strings.Contains(addr, "://") {
		return addr
	}
	return "http://" + addr + StatsPath
}

// FetchStats reads one Stats record from the stats endpoint at url (see
// StatsURL), within timeout. Errors wrap ErrStatsEndpoint when the
// endpoint answered but not with a stats record.
func FetchStats(ctx context.Context, client *http.Client, url string, timeout time.Duration) (Stats, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Stats{}, fmt.Errorf("stats endpoint: %w", err)
	}
	req.Close = true // read now and then: no idle connection left behind
	resp, err := client.Do(req)
	if err != nil {
		return Stats{}, fmt.Errorf("stats endpoint: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Stats{}, fmt.Errorf("%w: %s: %s", ErrStatsEndpoint, url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxStatsBody))
	if err != nil {
		return Stats{}, fmt.Errorf("stats endpoint %s: %w", url, err)
	}
	var st Stats
	if err := json.Unmarshal(b, &st); err != nil {
		return Stats{}, fmt.Errorf("%w: %s: %w", ErrStatsEndpoint, url, err)
	}
	return st, nil
}
