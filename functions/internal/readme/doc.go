// Package readme holds tests that every Markdown file of the repository
// works as documented: every package, tool, subcommand, flag, fuzz target
// and benchmark a go command names exists, the golden-update commands accept
// -update, and every relative link and #anchor resolves. It has no code of
// its own.
package readme
