// Package callgrind counts the instructions one operation of a Go
// benchmark executes, with valgrind's callgrind tool: no kernel, no clock
// and no other process in the count, so the same binary gives the same
// number run after run, where timings vary by percents.
//
// Count runs a compiled test binary under callgrind twice, for two
// operation counts, and divides the difference of the instructions by the
// difference of the operations, which cancels the program's start and
// the benchmark's setup. Only instructions inside the benchmark function
// (and what it calls) are collected, and of those only the ones outside
// the Go runtime's own
// code are counted (its memory primitives, such as memmove, excepted):
// the scheduler, the preemption of a long-running benchmark and the
// background threads run a number of instructions that depends on the
// wall-clock time valgrind takes, which is not a property of the code
// under test. The garbage collector is off (GOGC=off) and the benchmark
// runs on one thread of control (GOMAXPROCS=1, no asynchronous
// preemption).
package callgrind
