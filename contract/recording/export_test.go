package recording

import "io"

// ScanHARLimit is ScanHAR with limit in place of MaxHAREntrySize.
func ScanHARLimit(name string, r io.Reader, limit int64, fn func(HAREntry) error) (HARSummary, error) {
	s, err := newHARScanner(name, r, limit)
	if err != nil {
		return HARSummary{}, err
	}
	if _, err := s.dec.Token(); err != nil {
		return HARSummary{}, s.fail(err, "")
	}
	return s.scanTop(fn)
}
