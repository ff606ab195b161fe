//go:build race

package main

// raceDetector says whether the test binary was built with -race: the race
// detector slows the checker ten times and more, so the tests that measure
// at scale run smaller under it and measure only without it.
const raceDetector = true
