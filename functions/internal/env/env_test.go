package env

import (
	"strings"
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	type config struct {
		id    string
		ttl   time.Duration
		n     int
		debug bool
	}
	vars := func(c *config) Table {
		return Table{
			Require(String(&c.id, "SECRET_ID", "", "name or ARN of the secret")),
			Duration(&c.ttl, "TTL", "5m", "cache time", func(d time.Duration) error {
				if d <= 0 {
					return errMustBePositive
				}
				return nil
			}),
			Int(&c.n, "N", "20", "sample size", 0, 1000),
			Bool(&c.debug, "DEBUG", "", "debug logging"),
		}
	}
	tests := []struct {
		name    string
		env     map[string]string
		want    config
		wantErr []string
	}{
		{name: "defaults", env: map[string]string{"SECRET_ID": " s "}, want: config{id: "s", ttl: 5 * time.Minute, n: 20}},
		{name: "set", env: map[string]string{"SECRET_ID": "s", "TTL": "1m", "N": "0", "DEBUG": "true"}, want: config{id: "s", ttl: time.Minute, debug: true}},
		{
			name:    "every problem at once",
			env:     map[string]string{"SECRET_ID": "  ", "TTL": "0s", "N": "1001", "DEBUG": "maybe"},
			wantErr: []string{"SECRET_ID is required: name or ARN of the secret", `TTL "0s" must be positive`, `N "1001" must be an integer from 0 to 1000`, `DEBUG "maybe" must be true or false`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got config
			var read []string
			err := vars(&got).Load(func(k string) string { read = append(read, k); return tt.env[k] })
			if strings.Join(read, ",") != "SECRET_ID,TTL,N,DEBUG" {
				t.Errorf("read %v, want each declared name once, in order", read)
			}
			if tt.wantErr != nil {
				if err == nil {
					t.Fatal("Load succeeded")
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

var errMustBePositive = errorString("must be positive")

type errorString string

func (e errorString) Error() string { return string(e) }

func TestCheck(t *testing.T) {
	t.Parallel()
	var n int
	tab := Table{Int(&n, "N", "", "", 1, 5)}
	if err := tab.Check("N", "3"); err != nil {
		t.Error(err)
	}
	if err := tab.Check("N", "9"); err == nil {
		t.Error("Check accepted 9")
	}
	if err := tab.Check("M", "1"); err == nil {
		t.Error("Check accepted an undeclared name")
	}
}

func TestLoadEchoesNoSecretAndNoMegabyte(t *testing.T) {
	t.Parallel()
	refuse := func(string) error { return errorString("is refused") }
	tests := []struct {
		name, raw, want, never string
	}{
		{"userinfo", "https://user:hunter2@h.example/x", `"https://redacted@h.example/x" is refused`, "hunter2"},
		{"userinfo of an unparsable URL", "https://user:hunter2@h.example/%zz", `"https://redacted@h.example/%zz" is refused`, "hunter2"},
		{"long", strings.Repeat("é", 100), `"` + strings.Repeat("é", 32) + `..." is refused`, strings.Repeat("é", 33)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Table{Func("V", "", "a value", refuse)}.Load(func(string) string { return tt.raw })
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), tt.never) {
				t.Errorf("error %v, want it to contain %q and never %q", err, tt.want, tt.never)
			}
		})
	}
}
