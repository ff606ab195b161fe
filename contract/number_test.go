package contract

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"testing"
)

// TestIntegerSameValueSameAnswer: whether a number is whole depends on its
// value, not on how it is written, however long its exponent.
func TestIntegerSameValueSameAnswer(t *testing.T) {
	t.Parallel()
	zeros := strings.Repeat("0", 5000)
	tests := []struct {
		spellings []string
		want      bool
	}{
		{[]string{"1e1000001", "10e1000000", "0.1e1000002", "100e999999", "1E+1000001", "1.0e1000001"}, true},
		{[]string{"1e-1000001", "10e-1000002", "0.1e-1000000", "1.5e-1000001"}, false},
		{[]string{"1e99999999999999999999", "10e99999999999999999998", "0.01e100000000000000000001"}, true},
		{[]string{"1e-99999999999999999999", "0.1e-99999999999999999998"}, false},
		{[]string{"0", "-0", "0.0", "0e-99999999999999999999", "0.000e1000001", "-0.0e-5"}, true},
		{[]string{"282", "282.0", "2.82e2", "28200e-2", "0.282e3", "282" + zeros + "e-5000", "-282.000"}, true},
		{[]string{"1.5", "15e-1", "0.15e1", "150e-2", "1." + zeros + "1"}, false},
		{[]string{"1e18", "1000000000000000000", "0.1e19", "1e999999999999999999", "10e999999999999999998"}, true},
		{[]string{"1e-18", "1e-999999999999999999", "1e-1000000000000000000", "0.1e-999999999999999999"}, false},
	}
	for _, tt := range tests {
		for _, s := range tt.spellings {
			if !json.Valid([]byte(s)) {
				t.Fatalf("%.40s is not a JSON number", s)
			}
			if got := isInteger(json.Number(s)); got != tt.want {
				t.Errorf("isInteger(%.40s) = %t, want %t", s, got, tt.want)
			}
		}
	}
}

// TestEqualLiteralsSameValue: numbers compare equal exactly when their values
// are, whatever their spelling, also with exponents beyond int64.
func TestEqualLiteralsSameValue(t *testing.T) {
	t.Parallel()
	equal := [][]string{
		{"1e1000001", "10e1000000", "0.1e1000002"},
		{"1", "1.0", "10e-1", "0.1e1", "1E0", "1e+0"},
		{"0", "-0", "0.0e99999999999999999999", "-0e-1"},
		{"0.1e1000000000000000000", "1e999999999999999999", "10e999999999999999998", "100e999999999999999997"},
		{"1e99999999999999999999", "10e99999999999999999998", "0.1e100000000000000000000"},
		{"-25e-1", "-2.5", "-0.00025e4"},
		{"1e1000000000000000019", "10000000000000000000e1000000000000000000", "1e+001000000000000000019"},
	}
	for i, group := range equal {
		for _, a := range group {
			for _, b := range group {
				if !equalLiterals(a, b) {
					t.Errorf("group %d: %s != %s", i, a, b)
				}
			}
			for j, other := range equal {
				if j != i && equalLiterals(a, other[0]) {
					t.Errorf("%s == %s", a, other[0])
				}
			}
		}
	}
	for _, pair := range [][2]string{{"2.5", "-2.5"}, {"1e18", "1e19"}, {"1e-18", "1e-17"}, {"1.5", "15"}, {"x", "x1"}} {
		if equalLiterals(pair[0], pair[1]) {
			t.Errorf("%s == %s", pair[0], pair[1])
		}
	}
}

// TestAddScaleCarries covers the carries of scales beyond int64.
func TestAddScaleCarries(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		neg   bool
		mag   string
		shift int64
	}{
		{false, "1000000000000000000", -1},
		{true, "1000000000000000000", -1},
		{true, "1000000000000000000", 1},
		{false, "1999999999999999999", 1},
		{false, "99999999999999999999999", 5},
		{false, "100000000000000000000000", -7},
		{true, "100000000000000000000000", 7},
		{false, "999999999999999999", 2},
		{true, "999999999999999999", -2},
		{false, "", 3},
	} {
		want := new(big.Int)
		if tt.mag != "" {
			want.SetString(tt.mag, 10)
		}
		if tt.neg {
			want.Neg(want)
		}
		want.Add(want, big.NewInt(tt.shift))
		k, text := addScale(tt.neg, tt.mag, tt.shift)
		got := text
		if text == "" {
			got = fmt.Sprint(k)
		}
		if got != want.String() {
			t.Errorf("addScale(%t, %s, %d) = %s, want %s", tt.neg, tt.mag, tt.shift, got, want)
		}
		if small := want.IsInt64() && want.Int64() > -maxSmallScale && want.Int64() < maxSmallScale; small != (text == "") {
			t.Errorf("addScale(%t, %s, %d): %q held as text, want it as int64: %t", tt.neg, tt.mag, tt.shift, text, small)
		}
	}
}

// FuzzNumberMatchesBigRat compares the integer test and the equality of
// numbers with math/big on every literal math/big accepts.
func FuzzNumberMatchesBigRat(f *testing.F) {
	for _, s := range []string{"0", "-0.0", "1e5", "1.5", "282.000", "12e-1", "100e-2", "1e1000000", "0.1e-3", "1E+2", "01", "1.", "-"} {
		f.Add(s, "1")
	}
	isNumber := func(s string) bool {
		return json.Valid([]byte(s)) && strings.TrimLeft(s, "-0123456789.eE+") == ""
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 64 || len(b) > 64 {
			return
		}
		if _, ok := parseDecimal(a); ok != isNumber(a) {
			t.Fatalf("parseDecimal(%q) ok = %t, but JSON says %t", a, ok, isNumber(a))
		}
		ra, aok := new(big.Rat).SetString(a)
		if !isNumber(a) || !aok {
			return // math/big refuses exponents beyond 10^6: the spelling tests cover those
		}
		if got := isIntegerLiteral(a); got != ra.IsInt() {
			t.Errorf("isIntegerLiteral(%s) = %t, math/big says %t", a, got, ra.IsInt())
		}
		rb, bok := new(big.Rat).SetString(b)
		if !isNumber(b) || !bok {
			return
		}
		if got := equalLiterals(a, b); got != (ra.Cmp(rb) == 0) {
			t.Errorf("equalLiterals(%s, %s) = %t, math/big says %t", a, b, got, ra.Cmp(rb) == 0)
		}
	})
}

// BenchmarkIsInteger shows the integer test is linear in the literal's
// length: the time per digit stays flat from ten thousand to a million digits.
func BenchmarkIsInteger(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		lit := json.Number("1." + strings.Repeat("0", n) + "e" + fmt.Sprint(n))
		exp := json.Number("1e" + strings.Repeat("9", n))
		b.Run(fmt.Sprintf("mantissa-%d", n), func(b *testing.B) {
			for b.Loop() {
				if !isInteger(lit) {
					b.Fatal("not an integer")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(lit)), "ns/byte")
		})
		b.Run(fmt.Sprintf("exponent-%d", n), func(b *testing.B) {
			for b.Loop() {
				if !isInteger(exp) {
					b.Fatal("not an integer")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(exp)), "ns/byte")
		})
	}
}

// TestIsJSONNumber: exactly RFC 8259's number grammar, checked against
// encoding/json's own reading of each literal.
func TestIsJSONNumber(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"0", "-0", "7", "-12", "0.5", "10.25", "1e3", "1E+3", "1e-3", "-0.0e0", "1" + strings.Repeat("0", 400) + "e" + strings.Repeat("9", 40),
		"", "-", "+1", "01", "-01", "1.", ".5", "1e", "1e+", "0x10", "1_000", " 1", "1 ", "NaN", "Infinity", "1.5.2", "１", "1e1.5", "--1",
	} {
		var n json.Number
		want := json.Unmarshal([]byte(s), &n) == nil && string(n) == s
		if got := IsJSONNumber(s); got != want {
			t.Errorf("IsJSONNumber(%q) = %v, want %v", s, got, want)
		}
	}
}
