package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// baseRecording is the conformant recording the generated ones copy.
const baseRecording = "testdata/recordings/conformant/200-completed-inbound-human.json"

// writeRecordings writes n conformant recordings into dir, 100 per folder,
// each a copy of base with its own call SID and duration.
func writeRecordings(base, dir string, n int) error {
	b, err := os.ReadFile(base)
	if err != nil {
		return err
	}
	const sid = "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"
	const duration = `"duration": 282`
	if !bytes.Contains(b, []byte(sid)) || !bytes.Contains(b, []byte(duration)) {
		return fmt.Errorf("%s lacks %s or %s", base, sid, duration)
	}
	for i := range n {
		rec := bytes.ReplaceAll(b, []byte(sid), fmt.Appendf(nil, "c0c0ca11-%04x-4a1e-8b0b-%012x", i%0x10000, i))
		rec = bytes.Replace(rec, []byte(duration), fmt.Appendf(nil, `"duration": %d`, 282+i%60), 1)
		sub := filepath.Join(dir, fmt.Sprintf("%02d", i%100))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("call-%05d.json", i)), rec, 0o600); err != nil {
			return err
		}
	}
	return nil
}
