package dynamoserver

import (
	"encoding/json"
	"testing"
)

func TestConditionEvaluation(t *testing.T) {
	t.Parallel()
	it := item{"id": attr(`{"S":"a"}`), "n": attr(`{"N":"10"}`), "s": attr(`{"S":"b"}`), "m": attr(`{"M":{"x":{"S":"y"}}}`)}
	values := map[string]attr{":ten": attr(`{"N":"1e1"}`), ":nine": attr(`{"N":"9.5"}`), ":b": attr(`{"S":"b"}`), ":m": attr(`{"M": {"x": {"S":"y"}}}`)}
	tests := []struct {
		expr string
		want bool
	}{
		{"n = :ten", true},
		{"n <> :ten", false},
		{"n > :nine AND n >= :ten AND n <= :ten", true},
		{"n < :nine OR s = :b", true},
		{"NOT (n < :nine OR s = :b)", false},
		{"n = :b", false},   // across types: false
		{"n <> :b", true},   // and not equal
		{"s < :ten", false}, // no order across types
		{"missing = :b", false},
		{"missing <> :b", false}, // a missing attribute compares false
		{"attribute_exists(id) AND attribute_not_exists(missing)", true},
		{"m = :m", true}, // maps compare for equality only
		{"(attribute_not_exists(id) OR (s = :b AND n > :nine))", true},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			c, err := parseCondition(tt.expr, newExprContext(nil, values))
			if err != nil {
				t.Fatal(err)
			}
			if got := c(it); got != tt.want {
				t.Errorf("%s = %v, want %v", tt.expr, got, tt.want)
			}
		})
	}
}

func TestExpressionsRejected(t *testing.T) {
	t.Parallel()
	for _, expr := range []string{
		"", "n =", "= :v", "n = :v AND", "(n = :v", "n = :v)", "size(n) > :v", "n BETWEEN :v AND :v",
		"n IN (:v)", "a.b = :v", "a[0] = :v", "#undefined = :v", "n = :undefined", "AND = :v", "# = :v",
	} {
		if _, err := parseCondition(expr, newExprContext(nil, map[string]attr{":v": attr(`{"S":"x"}`)})); err == nil {
			t.Errorf("parseCondition(%q) succeeded", expr)
		}
	}
	for _, expr := range []string{"", "SET", "SET a", "SET a = ", "ADD a :v", "SET a = :v SET b = :v", "REMOVE", "DELETE a :v"} {
		if _, err := parseUpdate(expr, newExprContext(nil, map[string]attr{":v": attr(`{"S":"x"}`)})); err == nil {
			t.Errorf("parseUpdate(%q) succeeded", expr)
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
			if out, err := u.apply(it); err == nil {
				if _, err := json.Marshal(out); err != nil {
					t.Fatal(err)
				}
			}
		}
		_, _ = parseProjection(expr, newExprContext(names, values))
	})
}
