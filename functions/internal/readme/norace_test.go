//go:build !race

package readme

// raceEnabled is true when this test was built with -race.
const raceEnabled = false
