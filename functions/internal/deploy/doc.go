// Package deploy holds the offline checks of the deployment files against the
// code they deploy: template.yaml (AWS SAM), samconfig.toml and
// functions/Makefile. The checks derive what they expect from the sources
// (the environment variables each config loader reads, the metrics each
// function emits) so the template cannot drift from the binaries. The package
// has no code of its own; everything lives in its tests.
package deploy
