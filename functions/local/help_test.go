package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestHelpNamesEachDefaultEvent checks that -h says which event each
// function gets without EVENT_FILE.
func TestHelpNamesEachDefaultEvent(t *testing.T) {
	t.Parallel()
	h := strings.Join(strings.Fields(help()), " ")
	for name, file := range defaultEventFiles {
		if !strings.Contains(h, name+" "+file) {
			t.Errorf("-h does not say that %s gets %s:\n%s", name, file, help())
		}
	}
}

// readmeRunnerLine matches a command line of the README that runs the local
// runner.
var readmeRunnerLine = regexp.MustCompile(`^(go run \./functions/local|go tool local)\b(.*)$`)

// TestReadmeExamplesNameFilesThatExist checks every file the local runner's
// README examples name: -secret, -recordings, -bootstrap, -work aside, and
// EVENT_FILE.
func TestReadmeExamplesNameFilesThatExist(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md") // the runner's own page: its examples live there
	if err != nil {
		t.Fatal(err)
	}
	examples := 0
	for _, line := range strings.Split(string(readme), "\n") {
		m := readmeRunnerLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		args := strings.Fields(strings.SplitN(m[2], "#", 2)[0])
		for i, a := range args {
			if strings.HasSuffix(a, ";") {
				args = args[:i+1]
				args[i] = strings.TrimSuffix(a, ";")
				break
			}
		}
		for i, a := range args {
			isFile := strings.HasSuffix(a, ".json") || i > 0 && (args[i-1] == "-secret" || args[i-1] == "-recordings")
			if !isFile {
				continue
			}
			examples++
			if _, err := os.Stat(filepath.Join(testdataDir, "..", a)); err != nil {
				t.Errorf("README example %q names %s, which does not exist", strings.TrimSpace(line), a)
			}
		}
	}
	if examples == 0 {
		t.Fatal("found no README example of the local runner that names a file")
	}
}

// TestSampleSecret checks the sample secret the README's -secret example
// serves: a JSON document -secret accepts, with the demo signing key and no
// real credentials.
func TestSampleSecret(t *testing.T) {
	t.Parallel()
	s, err := readSecret(filepath.Join(testdataDir, "local", "secret.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"signing_key": "PSKcallwire-demo-signing-key-not-secret"`, `"api_token": "PTnot-a-real-token`, `"space_url": "example.signalwire.com"`} {
		if !strings.Contains(s, want) {
			t.Errorf("testdata/local/secret.json lacks %s", want)
		}
	}
}
