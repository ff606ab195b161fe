package deploy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// tomlTables maps a table name ("default.deploy.parameters", "" for the top
// level) to its keys and values.
type tomlTables map[string]map[string]any

// loadSamconfig parses samconfig.toml once for all tests.
var loadSamconfig = sync.OnceValues(func() (tomlTables, error) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "samconfig.toml"))
	if err != nil {
		return nil, err
	}
	tables, err := parseTOML(string(data))
	if err != nil {
		return nil, fmt.Errorf("samconfig.toml: %w", err)
	}
	return tables, nil
})

func mustSamconfig(t *testing.T) tomlTables {
	t.Helper()
	tables, err := loadSamconfig()
	if err != nil {
		t.Fatal(err)
	}
	return tables
}

// parseTOML reads the TOML subset samconfig files use: [dotted.table]
// headers and key = value lines, where a value is a basic or literal string,
// true/false, an integer or float, or a one-line array of those. Anything
// else (multi-line strings, inline tables, dotted keys) is an error rather
// than a guess.
func parseTOML(src string) (tomlTables, error) {
	tables := tomlTables{"": {}}
	cur := ""
	for i, line := range strings.Split(src, "\n") {
		lineNo := i + 1
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || line[0] == '#' {
			continue
		}
		if line[0] == '[' {
			name, rest, ok := strings.Cut(line[1:], "]")
			if !ok || strings.HasPrefix(name, "[") || !isComment(rest) {
				return nil, fmt.Errorf("line %d: unsupported table header %q", lineNo, line)
			}
			parts := strings.Split(name, ".")
			for j, p := range parts {
				p = strings.TrimSpace(p)
				if !isBareKey(p) {
					return nil, fmt.Errorf("line %d: unsupported table name %q", lineNo, name)
				}
				parts[j] = p
			}
			cur = strings.Join(parts, ".")
			if _, dup := tables[cur]; dup {
				return nil, fmt.Errorf("line %d: table [%s] defined twice", lineNo, cur)
			}
			tables[cur] = map[string]any{}
			continue
		}
		key, rest, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !ok || !isBareKey(key) {
			return nil, fmt.Errorf("line %d: want key = value, got %q", lineNo, line)
		}
		v, rest, err := tomlValue(strings.TrimSpace(rest))
		if err != nil {
			return nil, fmt.Errorf("line %d: %s: %w", lineNo, key, err)
		}
		if !isComment(rest) {
			return nil, fmt.Errorf("line %d: %s: trailing %q", lineNo, key, rest)
		}
		if _, dup := tables[cur][key]; dup {
			return nil, fmt.Errorf("line %d: key %s set twice in [%s]", lineNo, key, cur)
		}
		tables[cur][key] = v
	}
	return tables, nil
}

func isComment(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || s[0] == '#'
}

func isBareKey(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r != '_' && r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// tomlValue reads one value from the start of s and returns what follows.
func tomlValue(s string) (any, string, error) {
	switch {
	case s == "":
		return nil, "", errors.New("missing value")
	case strings.HasPrefix(s, `"""`), strings.HasPrefix(s, "'''"):
		return nil, "", errors.New("multi-line strings are not supported")
	case s[0] == '"':
		return tomlBasicString(s)
	case s[0] == '\'':
		end := strings.IndexByte(s[1:], '\'')
		if end < 0 {
			return nil, "", errors.New("unterminated literal string")
		}
		return s[1 : 1+end], s[2+end:], nil
	case s[0] == '[':
		var arr []any
		rest := strings.TrimSpace(s[1:])
		for {
			if strings.HasPrefix(rest, "]") {
				return arr, rest[1:], nil
			}
			v, r, err := tomlValue(rest)
			if err != nil {
				return nil, "", err
			}
			arr = append(arr, v)
			rest = strings.TrimSpace(r)
			if strings.HasPrefix(rest, ",") {
				rest = strings.TrimSpace(rest[1:])
			} else if !strings.HasPrefix(rest, "]") {
				return nil, "", fmt.Errorf("array: want , or ] at %q", rest)
			}
		}
	case s[0] == '{':
		return nil, "", errors.New("inline tables are not supported")
	}
	end := strings.IndexAny(s, " \t,]#")
	if end < 0 {
		end = len(s)
	}
	word, rest := s[:end], s[end:]
	switch word {
	case "true":
		return true, rest, nil
	case "false":
		return false, rest, nil
	}
	clean := strings.ReplaceAll(word, "_", "")
	if n, err := strconv.ParseInt(clean, 10, 64); err == nil {
		return n, rest, nil
	}
	if f, err := strconv.ParseFloat(clean, 64); err == nil {
		return f, rest, nil
	}
	return nil, "", fmt.Errorf("unsupported value %q", word)
}

// tomlBasicString reads a "..." string with TOML's escapes.
func tomlBasicString(s string) (any, string, error) {
	var b strings.Builder
	for i := 1; i < len(s); {
		c := s[i]
		switch c {
		case '"':
			return b.String(), s[i+1:], nil
		case '\\':
			if i+1 >= len(s) {
				return nil, "", errors.New("unterminated escape")
			}
			e := s[i+1]
			i += 2
			switch e {
			case '"', '\\':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'u', 'U':
				n := 4
				if e == 'U' {
					n = 8
				}
				if i+n > len(s) {
					return nil, "", errors.New("short unicode escape")
				}
				r, err := strconv.ParseUint(s[i:i+n], 16, 32)
				if err != nil || !utf8.ValidRune(rune(r)) {
					return nil, "", fmt.Errorf("bad unicode escape %q", s[i:i+n])
				}
				b.WriteRune(rune(r))
				i += n
			default:
				return nil, "", fmt.Errorf("unknown escape \\%c", e)
			}
		default:
			b.WriteByte(c)
			i++
		}
	}
	return nil, "", errors.New("unterminated string")
}

// parseOverrides splits SAM's parameter_overrides, a string of Key=Value
// pairs separated by spaces (values may be "double" or 'single' quoted) or an
// array of such strings, into a map.
func parseOverrides(v any) (map[string]string, error) {
	var parts []string
	switch x := v.(type) {
	case string:
		parts = []string{x}
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("array element %v is not a string", e)
			}
			parts = append(parts, s)
		}
	default:
		return nil, fmt.Errorf("parameter_overrides is %T, want a string or an array of strings", v)
	}
	out := map[string]string{}
	for _, s := range parts {
		for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
			key, rest, ok := strings.Cut(s, "=")
			if !ok || !isBareKey(key) || strings.ContainsAny(key, "-_") {
				return nil, fmt.Errorf("want Key=Value at %q", s)
			}
			if key == "ParameterKey" {
				return nil, errors.New("the ParameterKey=K,ParameterValue=V form is not supported; write K=V")
			}
			var val string
			switch {
			case strings.HasPrefix(rest, `"`), strings.HasPrefix(rest, "'"):
				q := rest[0]
				var b strings.Builder
				i := 1
				for ; i < len(rest) && rest[i] != q; i++ {
					if rest[i] == '\\' && i+1 < len(rest) {
						i++
					}
					b.WriteByte(rest[i])
				}
				if i >= len(rest) {
					return nil, fmt.Errorf("%s: unterminated quote", key)
				}
				val, s = b.String(), rest[i+1:]
				if s != "" && s[0] != ' ' && s[0] != '\t' {
					return nil, fmt.Errorf("%s: text right after the closing quote", key)
				}
			default:
				end := strings.IndexAny(rest, " \t")
				if end < 0 {
					end = len(rest)
				}
				val, s = rest[:end], rest[end:]
			}
			if _, dup := out[key]; dup {
				return nil, fmt.Errorf("%s set twice", key)
			}
			out[key] = val
		}
	}
	return out, nil
}

func TestParseTOML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    tomlTables
		wantErr bool
	}{
		{
			name: "samconfig shape",
			in: "# comment\nversion = 0.1\n\n[default.deploy.parameters]\n" +
				"stack_name = \"app\" # trailing\n" +
				"resolve_s3 = true\n" +
				"confirm_changeset = false\n" +
				"parameter_overrides = \"A=\\\"x y\\\" B=1\"\n" +
				"tags = ['k=v', \"q\\u00e9\"]\n" +
				"retries = 3\n",
			want: tomlTables{
				"": {"version": 0.1},
				"default.deploy.parameters": {
					"stack_name":          "app",
					"resolve_s3":          true,
					"confirm_changeset":   false,
					"parameter_overrides": `A="x y" B=1`,
					"tags":                []any{"k=v", "qé"},
					"retries":             int64(3),
				},
			},
		},
		{name: "duplicate key", in: "[a]\nx = 1\nx = 2\n", wantErr: true},
		{name: "duplicate table", in: "[a]\n[a]\n", wantErr: true},
		{name: "multi-line string", in: "x = \"\"\"\nabc\n\"\"\"\n", wantErr: true},
		{name: "inline table", in: "x = {a = 1}\n", wantErr: true},
		{name: "dotted key", in: "a.b = 1\n", wantErr: true},
		{name: "unterminated string", in: "x = \"abc\n", wantErr: true},
		{name: "trailing garbage", in: "x = \"a\" b\n", wantErr: true},
		{name: "bare word", in: "x = yes\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseTOML(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseTOML error = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseTOML (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseOverrides(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      any
		want    map[string]string
		wantErr bool
	}{
		{
			name: "quoted and bare",
			in:   `A="rate(1 hour)" B=plain C='single q' D="esc \" quote" E=""`,
			want: map[string]string{"A": "rate(1 hour)", "B": "plain", "C": "single q", "D": `esc " quote`, "E": ""},
		},
		{
			name: "array form",
			in:   []any{"A=1", `B="two words"`},
			want: map[string]string{"A": "1", "B": "two words"},
		},
		{name: "empty", in: "", want: map[string]string{}},
		{name: "no equals", in: "A", wantErr: true},
		{name: "duplicate", in: "A=1 A=2", wantErr: true},
		{name: "unterminated", in: `A="x`, wantErr: true},
		{name: "long form is not supported", in: "ParameterKey=A,ParameterValue=1", wantErr: true},
		{name: "not a string", in: int64(3), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseOverrides(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseOverrides error = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseOverrides (-want +got):\n%s", diff)
			}
		})
	}
}
