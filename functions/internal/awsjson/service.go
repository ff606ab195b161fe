package awsjson

// Service describes one AWS JSON-protocol service.
type Service struct {
	// ID is the SDK's service ID; AWS_ENDPOINT_URL_<ID in upper case, spaces
	// as underscores> names its endpoint.
	ID string
	// SigningName is the SigV4 service name.
	SigningName string
	// EndpointPrefix is the host's first label at AWS.
	EndpointPrefix string
	// TargetPrefix precedes the operation in X-Amz-Target.
	TargetPrefix string
	// JSONVersion is "1.0" or "1.1": the media type application/x-amz-json-<version>.
	JSONVersion string
}

// DynamoDB is Amazon DynamoDB (AWS JSON 1.0).
var DynamoDB = Service{ID: "DynamoDB", SigningName: "dynamodb", EndpointPrefix: "dynamodb", TargetPrefix: "DynamoDB_20120810", JSONVersion: "1.0"}

// EventBridge is Amazon EventBridge (AWS JSON 1.1).
var EventBridge = Service{ID: "EventBridge", SigningName: "events", EndpointPrefix: "events", TargetPrefix: "AWSEvents", JSONVersion: "1.1"}
