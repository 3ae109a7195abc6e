package bench

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSchedule(t *testing.T) {
	for _, tt := range []struct {
		name                 string
		reps, cells, targets int
		want                 []Job
	}{
		{"interleaved", 2, 2, 3, []Job{
			{0, 0, 0}, {0, 0, 1}, {0, 0, 2}, {0, 1, 0}, {0, 1, 1}, {0, 1, 2},
			{1, 0, 0}, {1, 0, 1}, {1, 0, 2}, {1, 1, 0}, {1, 1, 1}, {1, 1, 2},
		}},
		{"one of each", 1, 1, 1, []Job{{0, 0, 0}}},
		{"no targets", 3, 2, 0, nil},
		{"no reps", 0, 2, 2, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Schedule(tt.reps, tt.cells, tt.targets)); diff != "" {
				t.Errorf("Schedule(%d, %d, %d) (-want +got):\n%s", tt.reps, tt.cells, tt.targets, diff)
			}
		})
	}
}

// ExampleSchedule shows the interleaved order: every target of a cell in
// turn, cell after cell, repetition after repetition.
func ExampleSchedule() {
	targets := []string{"A", "B", "C"}
	for _, j := range Schedule(2, 1, len(targets)) {
		fmt.Print(targets[j.Target], j.Rep+1, " ")
	}
	fmt.Println()
	// Output: A1 B1 C1 A2 B2 C2
}
