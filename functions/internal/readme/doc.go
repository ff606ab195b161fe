// Package readme holds a test that the commands README.md documents work as
// documented: every package, tool, subcommand, flag, fuzz target and
// benchmark a command names exists, and the golden-update command accepts
// -update. It has no code of its own.
package readme
