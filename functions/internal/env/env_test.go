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
