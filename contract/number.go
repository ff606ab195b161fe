package contract

import (
	"strconv"
	"strings"
)

// JSON numbers are compared by value, in time linear in their text: a
// literal of a million digits, or with an exponent of a million digits, costs
// a pass over it, where math/big would take seconds (and refuses exponents
// beyond 10^6, so that 1e1000001 would not be the integer 10e1000000 is).

// decimal is a JSON number in canonical form: its value is
// (-1)^neg × digits × 10^scale, where digits has no leading or trailing zero
// ("" for zero). The scale is scale when it is below 10^18 in magnitude;
// otherwise bigScale holds it as decimal text.
type decimal struct {
	neg      bool
	digits   string
	scale    int64
	bigScale string
}

// maxSmallScale bounds the scales held as int64.
const maxSmallScale = 1e18

// IsJSONNumber reports whether s is exactly a number literal in JSON's
// grammar (RFC 8259 section 6): the one grammar callwire reads numbers by,
// in the contract core, the callback's schema check and the normalizer.
func IsJSONNumber(s string) bool {
	_, ok := parseDecimal(s)
	return ok
}

// parseDecimal reads a number in JSON's grammar; ok is false on anything else.
func parseDecimal(s string) (d decimal, ok bool) {
	if strings.HasPrefix(s, "-") {
		d.neg = true
		s = s[1:]
	}
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	intPart := s[:i]
	if intPart == "" || len(intPart) > 1 && intPart[0] == '0' {
		return decimal{}, false
	}
	var frac string
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && '0' <= s[j] && s[j] <= '9' {
			j++
		}
		frac = s[i+1 : j]
		if frac == "" {
			return decimal{}, false
		}
		i = j
	}
	expNeg, exp := false, ""
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			expNeg = s[j] == '-'
			j++
		}
		k := j
		for k < len(s) && '0' <= s[k] && s[k] <= '9' {
			k++
		}
		exp = s[j:k]
		if exp == "" {
			return decimal{}, false
		}
		i = k
	}
	if i != len(s) {
		return decimal{}, false
	}
	// The value is intPart.frac × 10^exp = (intPart frac) × 10^(exp - len(frac)).
	mantissa := strings.TrimLeft(intPart+frac, "0")
	trimmed := strings.TrimRight(mantissa, "0")
	d.digits = trimmed
	if trimmed == "" {
		return d, true // zero, whatever its scale
	}
	shift := int64(len(mantissa)-len(trimmed)) - int64(len(frac))
	d.scale, d.bigScale = addScale(expNeg, strings.TrimLeft(exp, "0"), shift)
	return d, true
}

// addScale returns the integer ±mag + shift, where mag is decimal digits
// without leading zeros and |shift| is below the length of a literal: as
// int64 when below maxSmallScale in magnitude, otherwise as decimal text.
func addScale(neg bool, mag string, shift int64) (int64, string) {
	if len(mag) <= 18 {
		var e int64
		if mag != "" {
			e, _ = strconv.ParseInt(mag, 10, 64)
		}
		if neg {
			e = -e
		}
		k := e + shift
		if -maxSmallScale < k && k < maxSmallScale {
			return k, ""
		}
		return 0, strconv.FormatInt(k, 10)
	}
	// |mag| >= 10^18 > |shift|: the sum keeps the sign of ±mag, and its
	// magnitude is mag moved by shift, which carries into the digits above
	// the last 18 at most once.
	delta := shift
	if neg {
		delta = -shift
	}
	hi := mag[:len(mag)-18]
	lo, _ := strconv.ParseInt(mag[len(mag)-18:], 10, 64)
	lo += delta
	switch {
	case lo >= maxSmallScale:
		lo -= maxSmallScale
		hi = addOne(hi, 1)
	case lo < 0:
		lo += maxSmallScale
		hi = addOne(hi, -1)
	}
	text := strings.TrimLeft(hi+leftPad(strconv.FormatInt(lo, 10), 18), "0")
	if len(text) <= 18 {
		k, _ := strconv.ParseInt(text, 10, 64)
		if neg {
			k = -k
		}
		if -maxSmallScale < k && k < maxSmallScale {
			return k, ""
		}
	}
	if neg {
		text = "-" + text
	}
	return 0, text
}

// addOne adds step (+1 or -1) to the positive decimal integer s.
func addOne(s string, step int) string {
	b := []byte(s)
	for i := len(b) - 1; i >= 0; i-- {
		if step > 0 && b[i] < '9' || step < 0 && b[i] > '0' {
			b[i] += byte(step)
			return string(b)
		}
		if step > 0 {
			b[i] = '0'
		} else {
			b[i] = '9'
		}
	}
	return "1" + string(b) // only reached when adding
}

func leftPad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return strings.Repeat("0", n-len(s)) + s
}

// isIntegerLiteral reports whether a JSON number's value is whole: 1.0, 1e2
// and 10e-1 are; 1.5 and 1e-1 are not.
func isIntegerLiteral(s string) bool {
	d, ok := parseDecimal(s)
	switch {
	case !ok:
		return false
	case d.digits == "":
		return true
	case d.bigScale != "":
		return d.bigScale[0] != '-'
	}
	return d.scale >= 0
}

// equalLiterals reports whether two JSON numbers have the same value.
func equalLiterals(a, b string) bool {
	if a == b {
		return true
	}
	x, xok := parseDecimal(a)
	y, yok := parseDecimal(b)
	switch {
	case !xok || !yok:
		return false
	case x.digits == "" || y.digits == "":
		return x.digits == y.digits // zero equals zero, whatever its sign
	}
	return x == y
}
