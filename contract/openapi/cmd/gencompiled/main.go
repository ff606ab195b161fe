// Command gencompiled writes contract/compiled.json, the precompiled form of
// the pinned spec. Run it through "go generate ./contract" from the module
// root, or from package contract's directory.
package main

import (
	"log"
	"os"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/openapi"
)

func main() {
	b, err := openapi.Render(contract.Spec)
	if err != nil {
		log.Fatalf("gencompiled: %v", err)
	}
	// go generate runs in package contract's directory.
	if err := os.WriteFile(contract.CompiledName, b, 0o644); err != nil {
		log.Fatalf("gencompiled: %v", err)
	}
}
