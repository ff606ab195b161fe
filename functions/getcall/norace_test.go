//go:build !race

package getcall

// raceDetector says whether the test binary was built with -race (see
// race_test.go).
const raceDetector = false
