// Command hello is the smallest aws-lambda-go function: the baseline the
// benchmark compares getcall's cold start with.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, json.RawMessage) (string, error) { return "hello", nil })
}
