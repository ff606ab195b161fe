package main

import (
	"io"

	"github.com/callwire/callwire/contract/buildinfo"
)

// writeVersion writes what the binary knows about its own build and the
// spec it checks against (see buildinfo.Text).
func writeVersion(w io.Writer) { buildinfo.Write(w, "local") }
