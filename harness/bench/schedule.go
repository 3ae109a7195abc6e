package bench

// A Job is one sample to measure: repetition Rep of cell Cell (an index
// into the cells, workload-major then connection count) for target Target
// (an index into the targets).
type Job struct {
	Rep, Cell, Target int
}

// Schedule returns the order in which the harness measures reps
// repetitions of cells cells for targets targets: for each repetition, for
// each cell, every target in turn (A B C A B C). Interleaving spreads the
// machine's slow drift (thermal, neighbours, caches) over all targets
// rather than biasing the ones measured last, and keeps a cell's targets
// close together in time.
func Schedule(reps, cells, targets int) []Job {
	if reps <= 0 || cells <= 0 || targets <= 0 {
		return nil
	}
	jobs := make([]Job, 0, reps*cells*targets)
	for r := range reps {
		for c := range cells {
			for t := range targets {
				jobs = append(jobs, Job{Rep: r, Cell: c, Target: t})
			}
		}
	}
	return jobs
}
