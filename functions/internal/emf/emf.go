// Package emf writes CloudWatch metrics in the Embedded Metric Format: one JSON
// line on stdout per batch, which CloudWatch Logs turns into metrics without an
// SDK call or a network round trip.
package emf

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// Namespace is the CloudWatch namespace of every callwire metric.
const Namespace = "callwire"

// Metric names emitted by the functions. Alarms in template.yaml refer to these.
const (
	UpstreamLatency = "UpstreamLatency"
	Retries         = "Retries"
	SecretFetches   = "SecretFetches"
	// SecretStaleServes counts reads answered with the last good secret past
	// its cache TTL, because Secrets Manager was throttling or unavailable
	// (SECRET_STALE_TTL): one record per such read.
	SecretStaleServes  = "SecretStaleServes"
	ContractFindings   = "ContractFindings"
	ColdStart          = "ColdStart"
	DriftChecks        = "DriftChecks"
	DriftFindings      = "DriftFindings"
	DriftNonConformant = "DriftNonConformant"

	// The status-callback receiver's metrics, one record per request.
	CallbacksReceived         = "CallbacksReceived"         // every request that reached the handler
	CallbackSignatureFailures = "CallbackSignatureFailures" // missing or invalid signature: 403
	CallbacksQueued           = "CallbacksQueued"           // verified callbacks handed to the queue
	CallbacksIgnored          = "CallbacksIgnored"          // verified callbacks whose status FETCH_ON leaves out
	CallbackContractFindings  = "CallbackContractFindings"  // error findings of the callback payload check
	CallbacksRejected         = "CallbacksRejected"         // callbacks refused with 400: a malformed body, invalid hint fields, another project
	CallbacksForeignAccount   = "CallbacksForeignAccount"   // verified callbacks whose AccountSid is not the project's: 400, not queued
	SigningKeyMissing         = "SigningKeyMissing"         // the secret has no signing_key: 500
	CallbacksFailed           = "CallbacksFailed"           // the secret could not be read (500) or the queue refused (503)
)

// Dimension names. Function is the function's role (getcall, driftcheck, callback);
// FunctionName is the deployed function's name, as in the AWS/Lambda
// namespace, which keeps apart the metrics (and alarms) of two stacks in
// one account and region.
const (
	DimFunction     = "Function"
	DimFunctionName = "FunctionName"
)

// Dimensions returns the dimension set of a function's metrics: Function,
// and FunctionName when functionName (AWS_LAMBDA_FUNCTION_NAME) is set.
func Dimensions(function, functionName string) map[string]string {
	dims := map[string]string{DimFunction: function}
	if functionName != "" {
		dims[DimFunctionName] = functionName
	}
	return dims
}

// Units, as CloudWatch names them.
const (
	Milliseconds = "Milliseconds"
	Count        = "Count"
)

// Value is one metric value with its unit.
type Value struct {
	Name  string
	Unit  string
	Value float64
}

// Metric declares one metric a function emits: the table a function's
// metrics.go holds, which the Writer, the template's alarms and dashboard
// and the README are checked against.
type Metric struct {
	Name string
	Unit string
	// Dims are the dimension names the metric carries beyond Function and
	// FunctionName (Dimensions), such as driftcheck's Severity.
	Dims []string
	// Doc says in one line what one value counts or measures.
	Doc string
}

// UndeclaredError is what Emit returns for a value its Writer's table does
// not declare, with that name, unit and dimensions.
type UndeclaredError struct {
	Name, Unit string
	Dims       []string
}

func (e *UndeclaredError) Error() string {
	return fmt.Sprintf("emf: metric %s (%s, extra dimensions %v) is not declared", e.Name, e.Unit, e.Dims)
}

// Writer emits EMF records. It is safe for concurrent use.
type Writer struct {
	mu       sync.Mutex
	w        io.Writer
	now      func() time.Time
	declared map[string]Metric
}

// NewWriter returns a Writer that writes one line per record to w and
// emits only the metrics declared: Emit refuses the whole record when one
// value is not in declared with its unit and dimensions.
func NewWriter(w io.Writer, declared []Metric) *Writer {
	d := make(map[string]Metric, len(declared))
	for _, m := range declared {
		// Sorted once here, as check compares them with each record's.
		m.Dims = slices.Sorted(slices.Values(m.Dims))
		d[m.Name] = m
	}
	return &Writer{w: w, now: time.Now, declared: d}
}

// check reports the first value the table does not declare as sent.
func (w *Writer) check(dims map[string]string, values []Value) error {
	var extra []string
	for k := range dims {
		if k != DimFunction && k != DimFunctionName {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	for _, v := range values {
		m, ok := w.declared[v.Name]
		if !ok || m.Unit != v.Unit || !slices.Equal(m.Dims, extra) {
			return &UndeclaredError{Name: v.Name, Unit: v.Unit, Dims: extra}
		}
	}
	return nil
}

type metricDef struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type directive struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []metricDef `json:"Metrics"`
}

type metadata struct {
	Timestamp         int64       `json:"Timestamp"`
	CloudWatchMetrics []directive `json:"CloudWatchMetrics"`
}

// Emit writes one record holding values, with the given dimensions (name ->
// value) all forming one dimension set. It returns an *UndeclaredError, and
// writes nothing, when a value is not declared with its unit and dimensions.
func (w *Writer) Emit(dims map[string]string, values ...Value) error {
	if w == nil || len(values) == 0 {
		return nil
	}
	if err := w.check(dims, values); err != nil {
		return err
	}
	rec := make(map[string]any, len(dims)+len(values)+1)
	names := make([]string, 0, len(dims))
	for k, v := range dims {
		names = append(names, k)
		rec[k] = v
	}
	slices.Sort(names)
	d := directive{Namespace: Namespace, Dimensions: [][]string{names}}
	for _, v := range values {
		d.Metrics = append(d.Metrics, metricDef{Name: v.Name, Unit: v.Unit})
		rec[v.Name] = v.Value
	}
	rec["_aws"] = metadata{Timestamp: w.now().UnixMilli(), CloudWatchMetrics: []directive{d}}
	line, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	line = append(line, '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err = w.w.Write(line)
	return err
}
