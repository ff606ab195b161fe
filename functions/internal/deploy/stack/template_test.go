package stack

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    any
		wantErr bool
	}{
		{
			name: "plain values",
			in:   "a: 1\nb: [x, true]\nc: \"off\"\nd: off\n",
			want: map[string]any{"a": 1, "b": []any{"x", true}, "c": "off", "d": "off"},
		},
		{
			name: "short tags",
			in: "r: !Ref P\n" +
				"g: !GetAtt Bus.Arn\n" +
				"s: !Sub arn:${AWS::Partition}:x\n" +
				"i: !If [C, !Ref A, !Ref AWS::NoValue]\n" +
				"n: !Not [!Equals [!Ref E, \"\"]]\n" +
				"c: !Condition HasX\n",
			want: map[string]any{
				"r": map[string]any{"Ref": "P"},
				"g": map[string]any{"Fn::GetAtt": []any{"Bus", "Arn"}},
				"s": map[string]any{"Fn::Sub": "arn:${AWS::Partition}:x"},
				"i": map[string]any{"Fn::If": []any{"C", map[string]any{"Ref": "A"}, map[string]any{"Ref": "AWS::NoValue"}}},
				"n": map[string]any{"Fn::Not": []any{map[string]any{"Fn::Equals": []any{map[string]any{"Ref": "E"}, ""}}}},
				"c": map[string]any{"Condition": "HasX"},
			},
		},
		{
			name: "tagged mapping and numeric scalar stay as written",
			in:   "j: !Join\n  - \",\"\n  - [a, b]\nr: !Ref 123\n",
			want: map[string]any{
				"j": map[string]any{"Fn::Join": []any{",", []any{"a", "b"}}},
				"r": map[string]any{"Ref": "123"},
			},
		},
		{name: "duplicate key", in: "a: 1\na: 2\n", wantErr: true},
		{name: "getatt without attribute", in: "g: !GetAtt Bus\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("Parse error = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLeaves(t *testing.T) {
	t.Parallel()
	in := []any{"a", map[string]any{"Fn::If": []any{"C", "b", map[string]any{"Ref": "AWS::NoValue"}}}, []any{"c"}}
	if diff := cmp.Diff([]any{"a", "b", "c"}, Leaves(in)); diff != "" {
		t.Errorf("Leaves (-want +got):\n%s", diff)
	}
}
