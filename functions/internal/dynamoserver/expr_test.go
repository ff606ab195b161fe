package dynamoserver

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestConditionEvaluation(t *testing.T) {
	t.Parallel()
	it := item{"id": attr(`{"S":"a"}`), "n": attr(`{"N":"10"}`), "s": attr(`{"S":"b"}`), "m": attr(`{"M":{"x":{"S":"y"}}}`)}
	names := map[string]string{"#id": "id", "#n": "n", "#s": "s", "#m": "m", "#missing": "missing"}
	values := map[string]attr{":ten": attr(`{"N":"1e1"}`), ":eleven": attr(`{"N":"11"}`), ":nine": attr(`{"N":"9.5"}`),
		":b": attr(`{"S":"b"}`), ":c": attr(`{"S":"c"}`), ":m": attr(`{"M": {"x": {"S":"y"}}}`)}
	tests := []struct {
		expr string
		want bool
	}{
		{"#n = :ten", true},
		{"#n < :eleven AND #n < :ten", false},
		{"#n < :nine OR #s = :b", true},
		{"#s < :c", true},
		{"#n = :b", false},   // across types: false
		{"#s < :ten", false}, // no order across types
		{"#missing = :b", false},
		{"attribute_not_exists(#missing) AND attribute_not_exists(#id)", false},
		{"#m = :m", true}, // maps compare for equality only
		{"(attribute_not_exists(#id) OR (#s = :b AND #n < :eleven))", true},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			c, err := parseCondition(tt.expr, newExprContext(names, values))
			if err != nil {
				t.Fatal(err)
			}
			if got := c(it); got != tt.want {
				t.Errorf("%s = %v, want %v", tt.expr, got, tt.want)
			}
		})
	}
}

// TestExpressionsRejected checks that each expression outside what callwire
// sends is refused, and that the refusal names what was refused.
func TestExpressionsRejected(t *testing.T) {
	t.Parallel()
	names := map[string]string{"#a": "a", "#b": "b"}
	values := map[string]attr{":v": attr(`{"S":"x"}`)}
	for _, tt := range []struct{ expr, want string }{
		{"", "expected an attribute name"},
		{"#a =", "expected a :value"},
		{"#a = :v AND", "expected an attribute name"},
		{"(#a = :v", `expected )`},
		{"#a = :v)", `unexpected ")"`},
		{"#a <> :v", `the comparison "<>"`},
		{"#a > :v", `the comparison ">"`},
		{"#a >= :v", `the comparison ">="`},
		{"#a <= :v", `the comparison "<="`},
		{"NOT #a = :v", "NOT"},
		{"#a = :v AND NOT attribute_not_exists(#b)", "NOT"},
		{"attribute_exists(#a)", "the function attribute_exists"},
		{"begins_with(#a, :v)", "the function begins_with"},
		{"size(#a) < :v", "the function size"},
		{"#a BETWEEN :v AND :v", "the operator BETWEEN"},
		{"#a IN (:v)", "the operator IN"},
		{"a = :v", `the plain attribute name "a"`},
		{"#a.b = :v", "a nested document path"},
		{"#a[0] = :v", "a nested document path"},
		{":v = #a", "the value :v on the left"},
		{"#a = #b", "the attribute #b as an operand"},
		{"#undefined = :v", "not defined; attribute name: #undefined"},
		{"#a = :undefined", "not defined; attribute value: :undefined"},
		{"AND = :v", "the keyword AND"},
		{"# = :v", "empty placeholder"},
		{"#a = :v ; #b = :v", "the character ';'"},
	} {
		_, err := parseCondition(tt.expr, newExprContext(names, values))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseCondition(%q) = %v, want an error naming %q", tt.expr, err, tt.want)
		}
	}
	for _, tt := range []struct{ expr, want string }{
		{"", "does not start with SET"},
		{"SET", "expected an attribute name"},
		{"SET #a", "expected ="},
		{"SET #a = ", "expected a :value"},
		{"SET #a = #b", "the attribute #b as an operand"},
		{"SET a = :v", `the plain attribute name "a"`},
		{"ADD #a :v", "does not start with SET"},
		{"REMOVE #a", "does not start with SET"},
		{"SET #a = :v SET #b = :v", "the update clause SET here"},
		{"SET #a = :v REMOVE #b ADD #a :v", "the update clause ADD here"},
		{"SET #a = :v DELETE #b :v", "the update clause DELETE here"},
		{"SET #a = :v REMOVE", "expected an attribute name"},
	} {
		_, err := parseUpdate(tt.expr, newExprContext(names, values))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseUpdate(%q) = %v, want an error naming %q", tt.expr, err, tt.want)
		}
	}
	for _, tt := range []struct{ expr, want string }{
		{"#a, b", `the plain attribute name "b"`},
		{"#a.b", "a nested document path"},
		{"#a #b", `unexpected "#b"`},
	} {
		_, err := parseProjection(tt.expr, newExprContext(names, values))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseProjection(%q) = %v, want an error naming %q", tt.expr, err, tt.want)
		}
	}
}

func FuzzExpressions(f *testing.F) {
	for _, s := range []string{
		"attribute_not_exists(#id) OR #exp < :now OR (#status = :inprogress AND #lock < :nowms)",
		"SET #status = :completed, #exp = :exp REMOVE #lock, #claim",
		"#id, #status, #exp", "NOT NOT (a = :v)", "<><=>=", "((((",
	} {
		f.Add(s)
	}
	names := map[string]string{"#id": "id", "#exp": "exp", "#status": "status", "#lock": "lock", "#claim": "claim", "#completed": "c"}
	values := map[string]attr{":now": attr(`{"N":"1"}`), ":nowms": attr(`{"N":"2"}`), ":inprogress": attr(`{"S":"P"}`),
		":completed": attr(`{"S":"C"}`), ":exp": attr(`{"N":"3"}`), ":v": attr(`{"BOOL":true}`)}
	it := item{"id": attr(`{"S":"a"}`), "status": attr(`{"S":"P"}`), "lock": attr(`{"N":"1"}`)}
	f.Fuzz(func(t *testing.T, expr string) {
		if c, err := parseCondition(expr, newExprContext(names, values)); err == nil {
			c(it)
		}
		if u, err := parseUpdate(expr, newExprContext(names, values)); err == nil {
			if _, err := json.Marshal(u.apply(it)); err != nil {
				t.Fatal(err)
			}
		}
		_, _ = parseProjection(expr, newExprContext(names, values))
	})
}
