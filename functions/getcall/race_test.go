//go:build race

package getcall

// raceDetector says whether the test binary was built with -race: the load
// test runs its -short size under the race detector, which slows every
// invocation several times; .ci/test runs it again at its full size
// without -race.
const raceDetector = true
