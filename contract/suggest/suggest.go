// Package suggest finds what a mistyped name on a command line most likely
// meant, for the "did you mean" of the project's commands (the local runner,
// swcontract). It is tooling: no Lambda function links it.
package suggest

import "strings"

// Closest returns the candidate nearest to name, by edit distance
// (insertions, deletions, substitutions and swaps of neighbours, ignoring
// case), when it is near enough to be a typo: at most a third of the
// longer name's length, and at least 1. It returns "" otherwise, and for a
// name that is a candidate.
func Closest(name string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		d := distance(strings.ToLower(name), strings.ToLower(c))
		if d == 0 && name == c {
			return ""
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	longer := max(len([]rune(name)), len([]rune(best)))
	if bestDist < 0 || bestDist >= maxRunes || bestDist > max(1, longer/3) {
		return ""
	}
	return best
}

// maxRunes bounds the names compared: names on a command line are short,
// and past this the answer is "far".
const maxRunes = 64

// distance is the optimal string alignment distance between a and b, over
// runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > maxRunes || len(rb) > maxRunes {
		return maxRunes
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
