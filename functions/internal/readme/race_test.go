//go:build race

package readme

// raceEnabled is true when this test was built with -race: the go commands
// it runs then build with -race too, so they reuse the packages the test
// run itself compiled instead of compiling every dependency a second time.
const raceEnabled = true
