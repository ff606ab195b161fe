// Package deploy holds the offline checks of the deployment files against the
// code they deploy: template.yaml (AWS SAM), samconfig.toml,
// functions/Makefile and the GitHub workflows. The checks derive what they
// expect from the sources (the environment variables each config loader
// reads, the metrics and log fields each function emits) so the template
// cannot drift from the binaries. The package has no code of its own;
// everything lives in its tests, which read the deployment files through
// package stack, as the functions' own deployment tests do.
package deploy
