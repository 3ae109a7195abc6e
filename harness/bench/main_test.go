package bench

import (
	"context"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"

	"go.uber.org/goleak"
)

// childEnv marks a re-execution of the test binary as a server process:
// it then runs RefServeMain with its arguments ("refserve --kind ...")
// instead of the tests, as "sockbench refserve" would.
const childEnv = "BENCH_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" && len(os.Args) > 1 && os.Args[1] == "refserve" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := RefServeMain(ctx, os.Args[2:], os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	if os.Getenv(childEnv) == "1" && len(os.Args) > 1 && os.Args[1] == launcherChild {
		os.Exit(launcherMain())
	}
	goleak.VerifyTestMain(m, antsPool...)
}

// antsPool is the default pool that github.com/panjf2000/ants (under gnet,
// the reference:gnet server) starts when it is initialised: two goroutines
// for the life of the process, not a leak of a test.
var antsPool = []goleak.Option{
	goleak.IgnoreTopFunction("github.com/panjf2000/ants/v2.(*poolCommon).purgeStaleWorkers"),
	goleak.IgnoreTopFunction("github.com/panjf2000/ants/v2.(*poolCommon).ticktock"),
}

// testLauncher re-executes the test binary as a server (see TestMain).
func testLauncher(ctx context.Context, args []string) (*exec.Cmd, error) {
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	// A race-enabled child sleeps 1s at exit unless told not to.
	cmd.Env = append(os.Environ(), childEnv+"=1", "GORACE=atexit_sleep_ms=0")
	return cmd, nil
}
