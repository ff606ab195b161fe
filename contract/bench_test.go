package contract_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/callwire/callwire/contract"
)

// BenchmarkValidate checks one exchange with a warm validator. Targets for the
// conformant body: ≤ 50 µs and ≤ 30 KB per check.
func BenchmarkValidate(b *testing.B) {
	v := newValidator(b)
	conformant := conformantExchange(b)
	drifted := conformantExchange(b)
	drifted.Body = bytes.Replace(drifted.Body, []byte(`"inbound"`), []byte(`"outbound-api"`), 1)
	drifted.Body = bytes.Replace(drifted.Body, []byte(`"audio_in_mos": 4.31`), []byte(`"audio_in_mos": "4.31"`), 1)
	for _, bc := range []struct {
		name string
		ex   contract.Exchange
		want bool
	}{{"conformant", conformant, true}, {"drifted", drifted, false}, {"undeclared-90k", undeclaredFlood(conformant, 90_000), true}} {
		if got := v.Check(bc.ex).Conformant; got != bc.want {
			b.Fatalf("%s: conformant = %v", bc.name, got)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v.Check(bc.ex)
			}
		})
	}
}

// BenchmarkCheckDecoded is BenchmarkValidate for CheckDecoded, which
// decodes the whole body for the normalizer: the path the Lambda takes.
func BenchmarkCheckDecoded(b *testing.B) {
	v := newValidator(b)
	conformant := conformantExchange(b)
	for _, bc := range []struct {
		name string
		ex   contract.Exchange
	}{{"conformant", conformant}, {"undeclared-90k", undeclaredFlood(conformant, 90_000)}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v.CheckDecoded(bc.ex)
			}
		})
	}
}

// undeclaredFlood returns ex with n undeclared members added to its body's
// top-level object, each as short as a member can be ("u00001":0 is about 11
// bytes), the shape of a hostile body that is small but has many properties.
func undeclaredFlood(ex contract.Exchange, n int) contract.Exchange {
	var b bytes.Buffer
	b.Write(bytes.TrimSuffix(bytes.TrimSpace(ex.Body), []byte("}")))
	for i := range n {
		fmt.Fprintf(&b, `,"u%05d":0`, i)
	}
	b.WriteByte('}')
	ex.Body = b.Bytes()
	return ex
}

// BenchmarkNew measures building the validator (parse, model, schema compile),
// the cost it adds to a cold start.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := contract.New(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestNewDuration logs the first build in this process, for the record; it asserts nothing about time.
func TestNewDuration(t *testing.T) {
	start := time.Now()
	if _, err := contract.New(); err != nil {
		t.Fatal(err)
	}
	t.Logf("contract.New took %v", time.Since(start))
}
